"""Fixtures for transactional integration tests: a file-backed SQLite store in WAL mode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storeloop.settings import Settings
from transactional.bootstrap import Store, bootstrap


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def file_store(settings) -> Iterator[Store]:
    built = bootstrap(settings)
    yield built
    built.close()
