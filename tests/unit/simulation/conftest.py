"""The settings of a small shop for the unit tests of sessions and rounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from storeloop.settings import Settings


@pytest.fixture
def small_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, sim_products=300, sim_shoppers=30, sim_days=3, seed=7)
