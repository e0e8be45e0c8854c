"""The quality gates on hand-written lakes: what passes, what fails and how it is reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from quality_lakes import bronze_rows, silver_tables, write_bronze, write_silver

from quality.checks import QualityGateFailed, check_bronze, check_silver, gate_bronze


def report(settings) -> dict:
    return json.loads((settings.reports_dir / "quality.json").read_text())


def silver_refusal(settings, tables) -> str:
    """What the silver gate says of `tables`, which it must refuse."""
    write_silver(settings, tables)
    with pytest.raises(QualityGateFailed) as failed:
        check_silver(settings)
    return str(failed.value)


def test_silver_gate_passes_on_valid_tables(settings):
    write_silver(settings, silver_tables())
    result = check_silver(settings)
    assert result["success"]
    assert report(settings)["silver"]["tables"]["products"]["rows"] == 2


def test_silver_gate_names_a_negative_price(settings):
    tables = silver_tables()
    tables["products"].loc[0, "price"] = -5.0
    write_silver(settings, tables)
    with pytest.raises(QualityGateFailed) as failed:
        check_silver(settings)
    assert failed.value.code == "quality_gate_failed"
    assert "products.price: expect_column_values_to_be_between" in str(failed.value)
    failures = report(settings)["silver"]["tables"]["products"]["failures"]
    assert [f["expectation"] for f in failures] == ["expect_column_values_to_be_between"]


def test_silver_gate_names_a_variant_whose_options_are_not_json(settings):
    tables = silver_tables()
    tables["products"].loc[1, "options"] = "size=8"
    said = silver_refusal(settings, tables)
    assert "products.options: expect_column_values_to_be_json_parseable" in said


def test_silver_gate_catches_orphan_items_and_unknown_status(settings):
    tables = silver_tables()
    tables["order_items"].loc[0, "order_id"] = "o-missing"
    tables["orders"].loc[0, "status"] = "teleported"
    message = silver_refusal(settings, tables)
    assert "order_items.order_id: values_in_orders.order_id" in message
    assert "orders.status: expect_column_values_to_be_in_set" in message


def test_silver_gate_names_bad_recommendation_rows(settings):
    tables = silver_tables()
    shown = tables["recommendation_impressions"]
    shown.loc[0, "surface"] = "homepage"
    shown.loc[1, "position"] = 1  # rec-1 shows two items at position 1
    tables["recommendation_clicks"].loc[0, "recommendation_id"] = "rec-never-shown"
    write_silver(settings, tables)
    with pytest.raises(QualityGateFailed) as failed:
        check_silver(settings)
    message = str(failed.value)
    assert "recommendation_impressions.surface: expect_column_values_to_be_in_set" in message
    assert "expect_compound_columns_to_be_unique" in message
    assert (
        "recommendation_clicks.recommendation_id: values_in_recommendation_impressions"
        ".recommendation_id" in message
    )


def test_silver_gate_passes_a_lake_without_any_recommendations(settings):
    tables = silver_tables()
    for name in ("recommendation_impressions", "recommendation_clicks"):
        tables[name] = tables[name].iloc[0:0]  # a quiet day: the columns, no rows
    write_silver(settings, tables)
    result = check_silver(settings)
    assert result["success"] and result["tables"]["recommendation_clicks"]["rows"] == 0


def test_bronze_gate_reports_each_broken_partition_and_why(settings):
    write_bronze(settings, "2024-05-01", bronze_rows(1))
    write_bronze(settings, "2024-05-02", bronze_rows(2, payload="{not json"))
    late = datetime(2024, 5, 4, 1, tzinfo=UTC)
    write_bronze(settings, "2024-05-03", bronze_rows(3, when=late))
    with pytest.raises(QualityGateFailed, match="expect_column_values_to_be_json_parseable"):
        check_bronze(settings)
    result = check_bronze(settings, raise_on_failure=False)
    assert result["failed_partitions"] == ["2024-05-02", "2024-05-03"]
    kinds = {
        dt: [f["expectation"] for f in p["failures"]] for dt, p in result["partitions"].items()
    }
    assert kinds["2024-05-01"] == []
    assert kinds["2024-05-02"] == ["expect_column_values_to_be_json_parseable"]
    assert kinds["2024-05-03"] == ["expect_column_values_to_be_in_set"]  # occurred_at off its dt


def test_bronze_gate_flags_duplicates_within_a_file_but_not_across_files(settings):
    rows = bronze_rows(1)
    write_bronze(settings, "2024-05-01", rows, name="part-1")
    write_bronze(settings, "2024-05-01", rows, name="part-2")  # a replay: fine
    assert check_bronze(settings)["success"]
    write_bronze(settings, "2024-05-01", rows + rows[:1], name="part-3")
    with pytest.raises(QualityGateFailed, match="expect_compound_columns_to_be_unique"):
        check_bronze(settings)


def test_gate_moves_failed_partitions_to_quarantine(settings):
    write_bronze(settings, "2024-05-01", bronze_rows(1))
    (write_bronze(settings, "2024-05-02", bronze_rows(2)) / "part-9.parquet").write_bytes(b"junk")
    result = gate_bronze(settings)
    assert result["failed_partitions"] == ["2024-05-02"]
    quarantine = settings.lake_dir / "quarantine" / "events" / "dt=2024-05-02"
    assert sorted(p.name for p in quarantine.iterdir()) == ["part-1.parquet", "part-9.parquet"]
    assert not (settings.lake_dir / "bronze" / "events" / "dt=2024-05-02").exists()
    assert report(settings)["bronze"]["in_quarantine"] == ["2024-05-02"]
    assert gate_bronze(settings)["success"]  # what is left is clean


def test_silver_gate_names_an_unknown_page_and_a_page_view_recorded_twice(settings):
    tables = silver_tables()
    views = tables["page_views"]
    views.loc[0, "page"] = "basement"
    views.loc[1, "page_view_id"] = "pv-1"
    message = silver_refusal(settings, tables)
    assert "page_views.page: expect_column_values_to_be_in_set" in message
    assert "page_views.page_view_id: expect_column_values_to_be_unique" in message
