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


@pytest.fixture
def champion_learnt_earlier():
    return _champion_learnt_earlier


def _champion_learnt_earlier(settings: Settings, name: str) -> None:
    """For a test that trains twice on one lake: dates the champion's window a day before the
    lake's, as if a round of new data had come since (training twice on the very same window is
    an empty round, and stops; see test_recommender_training)."""
    from mlflow import MlflowClient

    from models.registry import champion_version

    client = MlflowClient(settings.tracking_uri)
    version = champion_version(client, name)
    if version is not None:
        client.set_model_version_tag(name, version, "data.window_end", "2000-01-01T00:00:00+00:00")
