"""The gold gate's column expectations come from the Feast declaration; range checks stay."""

from __future__ import annotations

import pandas as pd
import pytest

from features.declared import gold_columns, not_null_columns
from features.sample_gold import write_sample_gold
from quality.checks import QualityGateFailed, check_gold
from quality.suites import GOLD


def expected(table: str, kind: str) -> set[str]:
    return {kw["column"] for name, kw in GOLD[table] if name == kind}


@pytest.mark.parametrize("view", ["product_features", "customer_features", "shopper_activity"])
def test_each_feature_table_expects_what_its_view_declares(view):
    assert expected(view, "ExpectColumnToExist") == set(gold_columns(view))
    assert expected(view, "ExpectColumnValuesToNotBeNull") == set(not_null_columns(view))


def test_the_hand_written_range_checks_stay():
    assert expected("product_features", "ExpectColumnValuesToBeBetween") >= {"price", "ctr_7d"}
    assert expected("shopper_activity", "ExpectColumnValuesToBeBetween") == {"log_position"}


def test_sample_gold_passes_and_a_missing_declared_column_fails_by_name(settings):
    write_sample_gold(settings)
    assert check_gold(settings)["success"]
    folder = settings.lake_dir / "gold" / "shopper_activity"
    for part in folder.glob("dt=*/*.parquet"):
        pd.read_parquet(part).drop(columns=["recent_queries"]).to_parquet(part, index=False)
    with pytest.raises(QualityGateFailed) as failed:
        check_gold(settings)
    assert any("shopper_activity.recent_queries" in f for f in failed.value.failures)
