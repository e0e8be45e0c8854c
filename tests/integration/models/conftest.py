"""One synthetic lake per test module, shared by its training tests (training takes seconds)."""

from __future__ import annotations

import pytest

from features.sample_gold import write_sample_gold
from storeloop.settings import Settings


@pytest.fixture(scope="module")
def lake_settings(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("store"))
    settings.ensure_dirs()
    write_sample_gold(settings)
    return settings
