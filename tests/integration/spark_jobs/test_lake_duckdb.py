"""The DuckDB twins of the silver job and of gold's ranking_examples (the lake benchmark's
yardsticks) build Spark's tables row for row: on the hand-made fixture lake (replays, a corrupt
day, older events) and on a synthetic one, which passes every gate through silver and gold."""

from __future__ import annotations

import pytest

from benchmarks import lake_duckdb
from benchmarks.duckdb_silver import TABLES
from benchmarks.synthetic_lake import Shape, write_lake
from quality.checks import check_gold, check_silver
from spark_jobs.gold import run_gold
from spark_jobs.silver import run_silver
from storeloop.settings import Settings

pytestmark = pytest.mark.spark


def twin_differences(settings: Settings, out) -> tuple[dict, dict]:
    con = lake_duckdb.connect(threads=2, memory_limit="1GB")
    rows = lake_duckdb.run_silver(con, settings.lake_dir / "bronze" / "events", out)
    return rows, {
        table: found
        for table, (_, partitioned) in TABLES.items()
        if (found := lake_duckdb.differences(
            con, settings.lake_dir / "silver" / table, out / table, partitioned))
    }  # fmt: skip


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, spark):
    settings = Settings(data_dir=tmp_path_factory.mktemp("synthetic"))
    settings.ensure_dirs()
    write_lake(settings.root, Shape(products=400, shoppers=120, days=3, sessions_per_shopper_day=1))
    return {"settings": settings, "silver": run_silver(settings, spark)}


def test_the_twin_equals_spark_on_the_fixture_lake(lake, tmp_path):
    rows, unequal = twin_differences(lake["settings"], tmp_path)
    assert unequal == {}
    assert rows == lake["silver"]


def test_the_ranking_examples_twin_equals_spark_on_the_fixture_lake(lake, tmp_path):
    assert_ranking_examples_equal(lake["settings"], lake["gold"], tmp_path)


def assert_ranking_examples_equal(settings: Settings, gold: dict, out) -> None:
    con = lake_duckdb.connect(threads=2, memory_limit="1GB")
    rows = lake_duckdb.run_ranking_examples(con, settings.lake_dir / "silver", out)
    spark = settings.lake_dir / "gold" / "ranking_examples"
    assert lake_duckdb.differences(con, spark, out, partitioned=True) == []
    assert rows == gold["ranking_examples"]


def test_the_twin_equals_spark_on_a_synthetic_lake(synthetic, tmp_path):
    rows, unequal = twin_differences(synthetic["settings"], tmp_path)
    assert unequal == {}
    assert rows == synthetic["silver"]
    assert all(rows[table] > 0 for table in rows)


def test_the_twin_tells_a_changed_row(synthetic, tmp_path):
    con = lake_duckdb.connect(threads=2, memory_limit="1GB")
    silver = synthetic["settings"].lake_dir / "silver"
    lake_duckdb.write(
        con, f"SELECT * REPLACE (stock + 1 AS stock) FROM '{silver}/products/*.parquet'",
        tmp_path / "products", partitioned=False,
    )  # fmt: skip
    found = lake_duckdb.differences(con, silver / "products", tmp_path / "products", False)
    assert found and "only in spark's" in found[0]


@pytest.mark.slow
def test_a_synthetic_lake_passes_the_silver_and_gold_gates(synthetic, spark, tmp_path):
    settings = synthetic["settings"]
    assert check_silver(settings)["success"]
    gold = run_gold(settings, spark)
    assert all(rows > 0 for rows in gold.values())
    assert check_gold(settings)["success"]
    assert_ranking_examples_equal(settings, gold, tmp_path)
