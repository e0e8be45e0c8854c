"""Synthetic gold tables in a temporary data dir, shared by the Feast tests."""

from __future__ import annotations

import pytest

from features.sample_gold import write_sample_gold
from storeloop.settings import Settings


@pytest.fixture
def gold_settings(tmp_path):
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    frames = write_sample_gold(settings)
    return settings, frames
