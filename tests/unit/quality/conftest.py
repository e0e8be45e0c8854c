"""Per-test settings on an empty data dir for the quality gates."""

from __future__ import annotations

import pytest

from storeloop.settings import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    return settings
