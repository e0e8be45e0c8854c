"""Ranker training end to end on a synthetic lake: learns, registers, gates, serves."""

from __future__ import annotations

import shutil
import time

import numpy as np
import pytest
from mlflow import MlflowClient

from features.sample_gold import write_sample_gold
from models.errors import TrainingDataError
from models.ranker.features import FEATURES
from models.ranker.predict import load_champion_ranker
from models.ranker.train import MODEL_NAME, train_ranker
from models.registry import champion_version
from storeloop.settings import Settings

pytestmark = pytest.mark.slow


def test_no_champion_means_no_ranker(tmp_path):
    assert load_champion_ranker(Settings(data_dir=tmp_path)) is None


def test_a_first_ranker_that_loses_to_index_order_stays_a_challenger(tmp_path):
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    examples = write_sample_gold(settings)["ranking_examples"]
    # Shoppers who only ever buy the top result: index order is already ideal.
    examples["label"] = np.where(examples["position"] == 1, 3, 0)
    for dt, part in examples.groupby(examples["event_timestamp"].dt.strftime("%Y-%m-%d")):
        part.to_parquet(
            settings.lake_dir / "gold" / "ranking_examples" / f"dt={dt}" / "part-0.parquet",
            index=False,
        )
    result = train_ranker(settings, shuffle_labels=True)
    assert result["index_ips_ndcg_at_10"] == pytest.approx(1.0)
    assert result["ips_ndcg_at_10"] < 1.0
    client = MlflowClient(settings.tracking_uri)
    assert not result["promoted"] and champion_version(client, MODEL_NAME) is None
    assert str(client.get_model_version_by_alias(MODEL_NAME, "challenger").version) == "1"
    tags = client.get_model_version(MODEL_NAME, result["version"]).tags
    assert "does not beat" in tags["promotion.reason"]
    assert tags["promotion.baseline"] == "index order"
    assert load_champion_ranker(settings) is None  # serving keeps index order


def test_first_ranker_beats_index_order_and_becomes_champion(lake_settings):
    result = train_ranker(lake_settings)
    # Gated on the counterfactual metric; the naive one is reported for information.
    assert result["ips_ndcg_at_10"] > result["index_ips_ndcg_at_10"] + 0.05
    assert result["ndcg_at_10"] > result["index_ndcg_at_10"]
    assert result["promoted"] and result["reason"].startswith("ips_ndcg_at_10")
    assert " beats " in result["reason"]
    client = MlflowClient(lake_settings.tracking_uri)
    version = client.get_model_version(MODEL_NAME, result["version"])
    assert version.tags["feature_service"] == "ranker_v1"
    assert version.tags["data.held_out_day"] == "2024-03-05"
    run = client.get_run(result["run_id"])
    assert run.data.params["loss"] == "listnet_ipw"
    assert run.info.artifact_uri.startswith(lake_settings.mlflow_artifacts_dir.as_uri())


def test_worse_challenger_keeps_the_champion_and_says_why(lake_settings):
    champion = champion_version(MlflowClient(lake_settings.tracking_uri), MODEL_NAME)
    result = train_ranker(lake_settings, epochs=0)
    client = MlflowClient(lake_settings.tracking_uri)
    assert not result["promoted"]
    assert champion_version(client, MODEL_NAME) == champion
    tags = client.get_model_version(MODEL_NAME, result["version"]).tags
    assert tags["promotion.decision"] == "rejected"
    assert f"does not beat champion v{champion}" in tags["promotion.reason"]
    assert (
        str(client.get_model_version_by_alias(MODEL_NAME, "challenger").version)
        == result["version"]
    )


def test_champion_ranker_prefers_the_customers_category_and_is_fast(lake_settings):
    ranker = load_champion_ranker(lake_settings)
    assert ranker is not None
    assert ranker.version == champion_version(MlflowClient(lake_settings.tracking_uri), MODEL_NAME)
    base = {name: 1.0 for name in FEATURES} | {"rating": 4.0, "brand_match": 0.0}
    match, other = ranker.score([base | {"category_match": 1.0}, base | {"category_match": 0.0}])
    assert match > other
    rows = [base | {"index_score": float(i % 7), "price": None} for i in range(100)]
    ranker.score(rows)
    started = time.perf_counter()
    scores = ranker.score(rows)
    assert len(scores) == 100
    assert time.perf_counter() - started < 0.05


def test_an_empty_window_stops_training_and_leaves_the_champion(lake_settings):
    client = MlflowClient(lake_settings.tracking_uri)
    champion = champion_version(client, MODEL_NAME)
    examples = lake_settings.lake_dir / "gold" / "ranking_examples"
    backup = examples.with_name("ranking_examples.bak")
    shutil.move(examples, backup)
    examples.mkdir()
    try:
        with pytest.raises(TrainingDataError) as error:
            train_ranker(lake_settings)
        assert error.value.code == "gold_table_empty"
    finally:
        shutil.rmtree(examples)
        shutil.move(backup, examples)
    assert champion_version(client, MODEL_NAME) == champion
