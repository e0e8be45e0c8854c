"""One synthetic lake per test module, shared by its training tests (training takes seconds)."""

from __future__ import annotations

import pytest

from features.sample_gold import write_sample_gold
from storeloop.settings import Settings


@pytest.fixture(scope="module")
def sample_lake(tmp_path_factory):
    """Makes a data dir with a synthetic gold lake (`write_sample_gold`'s sizes as given)."""

    def make(**sizes) -> Settings:
        settings = Settings(data_dir=tmp_path_factory.mktemp("store"))
        settings.ensure_dirs()
        write_sample_gold(settings, **sizes)
        return settings

    return make


@pytest.fixture(scope="module")
def lake_settings(sample_lake):
    return sample_lake()
