"""One local SparkSession and one bronze -> silver -> gold run shared by the Spark job tests."""

from __future__ import annotations

import pytest
from bronze_events import write_bronze

from spark_jobs.gold import run_gold
from spark_jobs.session import spark_session
from spark_jobs.silver import run_silver
from storeloop.settings import Settings


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("spark"))
    return spark_session(settings)


@pytest.fixture(scope="session")
def lake(tmp_path_factory, spark):
    """A lake built once for all Spark job tests: bronze written, silver and gold run."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("lake"))
    settings.ensure_dirs()
    written = write_bronze(settings.lake_dir)
    silver_rows = run_silver(settings, spark)
    gold_rows = run_gold(settings, spark)
    return {"settings": settings, "written": written, "silver": silver_rows, "gold": gold_rows}
