"""Gold built by Spark: daily feature snapshots and ranking labels, hand-checked on the fixture."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from pyspark.sql import functions as F

from contracts import events as E
from quality.checks import check_gold
from spark_jobs.errors import LakeErrorCode, LakeJobError
from spark_jobs.gold_inputs import Silver
from spark_jobs.gold_labels import build_interactions
from spark_jobs.lake import write_table
from spark_jobs.silver import read_events
from spark_jobs.silver_behaviour import build_recommendation_clicks
from storeloop.settings import Settings

pytestmark = pytest.mark.spark


def gold(lake, table: str) -> pd.DataFrame:
    return pd.read_parquet(lake["settings"].lake_dir / "gold" / table)


def on(frame: pd.DataFrame, key: str, entity: str, day: str) -> pd.Series:
    stamp = pd.Timestamp(f"{day} 23:59:59", tz="UTC")
    rows = frame[(frame[key] == entity) & (frame["event_timestamp"] == stamp)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_product_features_are_daily_snapshots_of_existing_products(lake):
    features = gold(lake, "product_features")
    assert lake["gold"]["product_features"] == 3 * 3 + 1  # p-000004 exists on 2024-05-03 only
    assert sorted(features.loc[features["product_id"] == "p-000004", "dt"].astype(str)) == [
        "2024-05-03"
    ]
    assert set(features["event_timestamp"].dt.strftime("%H:%M:%S")) == {"23:59:59"}


def test_product_rolling_counts_match_the_hand_count(lake):
    features = gold(lake, "product_features")
    p2 = on(features, "product_id", "p-000002", "2024-05-02")
    # o-b was declined (cancelled): only o-c counts; impressions in srch-a and srch-b.
    assert (p2["orders_7d"], p2["units_7d"], p2["impressions_7d"], p2["clicks_7d"]) == (1, 1, 2, 1)
    assert p2["ctr_7d"] == pytest.approx(2 / 22)
    assert p2["in_stock"] == 0
    p1 = on(features, "product_id", "p-000001", "2024-05-03")
    assert (p1["orders_7d"], p1["units_7d"], p1["impressions_7d"]) == (1, 2, 3)
    assert p1["popularity"] == pytest.approx(1.0986, abs=1e-3)  # log1p(2)
    assert p1["price_rel_category"] == pytest.approx(45 / 72.5)  # shoes median of 45 and 100
    p1_first = on(features, "product_id", "p-000001", "2024-05-01")
    assert p1_first["impressions_7d"] == 1


def test_customer_features_roll_over_30_days(lake):
    features = gold(lake, "customer_features")
    assert set(features["customer_id"]) == {"c-000001", "c-000002"}  # the seller has none
    c1 = on(features, "customer_id", "c-000001", "2024-05-03")
    assert (c1["orders_30d"], c1["spend_30d"], c1["clicks_30d"]) == (3, 220.0, 1)
    assert c1["avg_order_value"] == pytest.approx(220 / 3)
    assert (c1["top_category"], c1["top_brand"]) == ("shoes", "Acme")
    c2 = on(features, "customer_id", "c-000002", "2024-05-02")
    assert (c2["orders_30d"], c2["spend_30d"], c2["clicks_30d"]) == (0, 0.0, 1)


def test_ranking_labels_follow_clicks_carts_and_purchases(lake):
    examples = gold(lake, "ranking_examples").set_index(["search_id", "product_id"])
    assert len(examples) == 7
    assert examples.loc[("srch-a", "p-000001"), "label"] == 3  # clicked, carted, bought
    assert examples.loc[("srch-a", "p-000002"), "purchased"] == 0  # bought 25 h later
    # Carted the same day without a search id; the order was declined.
    row = examples.loc[("srch-b", "p-000002")]
    assert (row["clicked"], row["added_to_cart"], row["purchased"], row["label"]) == (1, 1, 0, 2)
    assert examples.loc[("srch-c", "p-000003"), "label"] == 3  # bought 1 h later, no click
    assert examples.loc[("srch-c", "p-000001"), "label"] == 0


def test_interactions_weigh_clicks_carts_and_purchases(lake):
    interactions = gold(lake, "interactions")
    # Clicks: 2 on search results, 2 on recommendations (rec-a, rec-b).
    assert interactions.groupby("kind")["weight"].agg(["count", "max"]).to_dict() == {
        "count": {"cart": 3, "click": 4, "purchase": 3},
        "max": {"cart": 2, "click": 1, "purchase": 3},
    }
    clicks = interactions[interactions["kind"] == "click"]
    pairs = clicks[["customer_id", "product_id"]].values.tolist()
    assert ["c-000002", "p-000003"] in pairs  # c2's click on their feed


def test_a_lake_older_than_recommendations_still_builds(lake, spark, tmp_path):
    """A silver written before the channel existed has no recommendation tables: gold reads
    them as empty; silver itself writes them, empty with their columns, from such a bronze."""
    old = Settings(data_dir=tmp_path)
    newer = {"recommendation_impressions", "recommendation_clicks"}
    source = lake["settings"].lake_dir / "silver"
    for table in source.iterdir():
        if table.is_dir() and table.name not in newer:  # not _bronze_mark.json
            shutil.copytree(table, old.lake_dir / "silver" / table.name)
    silver = Silver.read(spark, old)
    assert silver.recommendation_clicks.count() == 0
    assert silver.recommendation_impressions.columns == [
        "recommendation_id", "session_id", "customer_id", "surface", "anchor_product_id",
        "recommender", "strategy", "arm", "product_id", "position", "score", "shown_at", "dt",
    ]  # fmt: skip
    assert build_interactions(silver).filter("kind = 'click'").count() == 2  # search clicks only
    assert silver.calendar().count() == 3

    bronze = read_events(spark, lake["settings"]).filter(
        ~F.col("type").isin(E.RECOMMENDATIONS_SHOWN, E.RECOMMENDATION_CLICKED)
    )
    quiet = old.lake_dir / "silver" / "recommendation_clicks"
    assert write_table(build_recommendation_clicks(bronze), quiet, partitioned=True) == 0
    assert Silver.read(spark, old).recommendation_clicks.columns[:2] == [
        "recommendation_id", "session_id",
    ]  # fmt: skip
    (old.lake_dir / "silver" / "orders").rename(old.lake_dir / "silver" / "orders_moved")
    with pytest.raises(LakeJobError) as missing:  # an older table is still required
        Silver.read(spark, old)
    assert missing.value.code == LakeErrorCode.SILVER_MISSING


def test_gold_passes_its_quality_gate(lake):
    assert check_gold(lake["settings"])["success"]
