"""Feast over the gold parquet: apply, materialize, online reads and point-in-time joins."""

from __future__ import annotations

import os
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
import redis

from features.gold import FeatureDataError
from features.sample_gold import write_sample_gold
from features.store import feature_store, materialize
from features.training_sets import interaction_training_set, ranking_training_set
from storeloop.settings import Settings


def assert_latest_product_features_online(settings, frames):
    store = feature_store(settings)
    online = store.get_online_features(
        features=store.get_feature_service("ranker_v1"),
        entity_rows=[{"product_id": "p-000001", "customer_id": "c-000002"}],
    ).to_dict()
    gold = frames["product_features"]
    latest = gold[gold.product_id == "p-000001"].sort_values("event_timestamp").iloc[-1]
    assert online["price"] == [pytest.approx(latest.price)]
    assert online["category"] == [latest.category]
    assert online["top_category"] == ["garden"]


def test_materialize_serves_the_latest_product_features_online(gold_settings):
    settings, frames = gold_settings
    report = materialize(settings)
    assert report["feature_views"] == ["product_features", "customer_features", "shopper_activity"]
    assert report["rows"]["product_features"] == len(frames["product_features"])
    assert_latest_product_features_online(settings, frames)


def test_point_in_time_join_never_reads_a_later_feature_row(gold_settings):
    settings, frames = gold_settings
    example = frames["ranking_examples"].iloc[0]
    # A row one second after the search: only a leaking join could pick its price.
    future = frames["product_features"].iloc[[0]].copy()
    future["product_id"] = example.product_id
    future["event_timestamp"] = example.event_timestamp + timedelta(seconds=1)
    future["price"] = 9999.0
    folder = settings.lake_dir / "gold" / "product_features" / "dt=2024-03-02"
    future.to_parquet(folder / "part-late.parquet", index=False)

    joined = ranking_training_set(settings)
    row = joined[
        (joined.search_id == example.search_id) & (joined.product_id == example.product_id)
    ]
    gold = frames["product_features"]
    before = gold[
        (gold.product_id == example.product_id) & (gold.event_timestamp <= example.event_timestamp)
    ]
    assert len(row) == 1
    assert row.price.iloc[0] != 9999.0
    assert row.price.iloc[0] == pytest.approx(before.sort_values("event_timestamp").price.iloc[-1])


def test_training_sets_keep_every_example_and_record_their_window(gold_settings):
    settings, frames = gold_settings
    ranking = ranking_training_set(settings)
    interactions = interaction_training_set(settings)
    assert len(ranking) == len(frames["ranking_examples"])
    assert len(interactions) == len(frames["interactions"])
    assert ranking["category"].notna().all()
    assert ranking.attrs["feature_service"] == "ranker_v2"
    assert interactions.attrs["feature_service"] == "recommender_v2"
    first = frames["ranking_examples"].event_timestamp.min()
    assert pd.Timestamp(ranking.attrs["window_start"]) == first


def test_missing_gold_table_is_a_typed_error(tmp_path):
    with pytest.raises(FeatureDataError) as error:
        materialize(Settings(data_dir=tmp_path))
    assert error.value.code == "gold_table_missing"


def test_each_search_sees_the_shoppers_activity_as_of_its_time(gold_settings):
    settings, frames = gold_settings
    ranking = ranking_training_set(settings)
    activity = frames["shopper_activity"]
    for _, row in ranking.drop_duplicates("search_id").head(20).iterrows():
        mine = activity[
            (activity.customer_id == row.customer_id)
            & (activity.event_timestamp <= row.event_timestamp)
        ]
        expected = (
            [] if mine.empty else list(mine.sort_values("log_position").recent_products.iloc[-1])
        )
        found = row.recent_products
        assert ([] if not isinstance(found, (list, np.ndarray)) else list(found)) == expected


@pytest.mark.redis
def test_the_redis_online_store_serves_what_materialize_wrote(tmp_path):
    # The cluster profile's online store: the same definitions, the test Redis server.
    url = os.environ.get("STORE_TEST_REDIS_URL")
    if not url:
        pytest.fail("STORE_TEST_REDIS_URL is not set: run `source scripts/services.sh`")
    redis_url = f"{url.rsplit('/', 1)[0]}/5"  # a database of its own
    redis.Redis.from_url(redis_url).flushdb()
    settings = Settings(data_dir=tmp_path, feast_online_store="redis", redis_url=redis_url)
    settings.ensure_dirs()
    frames = write_sample_gold(settings)
    materialize(settings)
    assert not (settings.feast_dir / "online.db").exists()
    assert redis.Redis.from_url(redis_url).dbsize() > 0
    assert_latest_product_features_online(settings, frames)
