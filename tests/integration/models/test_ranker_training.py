"""Ranker training end to end on a synthetic lake: learns, registers, gates, serves."""

from __future__ import annotations

import shutil
import time

import numpy as np
import pytest
from mlflow import MlflowClient

from features.sample_gold import write_sample_gold
from models.errors import TrainingDataError
from models.ranker.embeddings import TitleEmbeddings, load_encoder
from models.ranker.features import FEATURES
from models.ranker.predict import load_champion_ranker
from models.ranker.train import MODEL_NAME, train_ranker
from models.registry import champion_version
from storeloop.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embeddings():
    return TitleEmbeddings(load_encoder())


def test_no_champion_means_no_ranker(tmp_path):
    assert load_champion_ranker(Settings(data_dir=tmp_path)) is None


def only_the_top_result_is_bought(settings, examples) -> None:
    """Rewrites the gold ranking examples: index order becomes the ideal ranking."""
    examples["label"] = np.where(examples["position"] == 1, 3, 0)
    for dt, part in examples.groupby(examples["event_timestamp"].dt.strftime("%Y-%m-%d")):
        part.to_parquet(
            settings.lake_dir / "gold" / "ranking_examples" / f"dt={dt}" / "part-0.parquet",
            index=False,
        )


def test_a_first_ranker_that_loses_to_index_order_stays_a_challenger_and_index_order_is_registered(
    tmp_path, embeddings
):
    # Graded gains alone (no revenue weight), so the most a list can score is 2^3 - 1.
    settings = Settings(data_dir=tmp_path, ranker_revenue_weight=0.0)
    settings.ensure_dirs()
    examples = write_sample_gold(settings)["ranking_examples"]
    # Shoppers who only ever buy the top result: index order is already ideal.
    only_the_top_result_is_bought(settings, examples)
    result = train_ranker(settings, shuffle_labels=True, embeddings=embeddings)
    # Every held-out purchase is at position 1, which every shopper looks at: index order scores
    # the most a list can, 2^3 - 1 at the top, and the shuffled challenger less.
    assert result["index_ips_dcg_at_10"] == pytest.approx(7.0)
    assert result["ips_dcg_at_10"] < 7.0
    client = MlflowClient(settings.tracking_uri)
    assert str(client.get_model_version_by_alias(MODEL_NAME, "challenger").version) == "1"
    tags = client.get_model_version(MODEL_NAME, result["version"]).tags
    assert (
        "does not beat the incumbent index (served without a champion)" in tags["promotion.reason"]
    )
    assert tags["promotion.incumbent"] == "index" and tags["model.kind"] == result["kind"]
    assert tags["promotion.decision"] == "rejected"
    # Whatever wins is registered and served: here index order, as a version of its own.
    assert result["decision"]["decision"] == "promote_baseline"
    index_version = champion_version(client, MODEL_NAME)
    assert index_version not in (None, result["version"])
    served = load_champion_ranker(settings)
    assert served is not None and served.kind == "index"  # serving keeps index order


def test_first_ranker_beats_index_order_and_the_gates_winner_serves(lake_settings, embeddings):
    result = train_ranker(lake_settings, embeddings=embeddings)
    # Gated on the counterfactual metric; the naive one is reported for information.
    assert result["ips_dcg_at_10"] > 1.05 * result["index_ips_dcg_at_10"]
    assert result["ndcg_at_10"] > result["index_ndcg_at_10"]
    # All three are measured in the same run: the net is the challenger, LightGBM and index
    # order the baselines; whichever of them wins the gate beyond noise is champion.
    assert result["kind"] == "neural"
    assert 0.0 < result["cascade_stay_after_cart"] < 1.0
    decision = result["decision"]
    winner = "neural" if decision["decision"] == "promote_challenger" else "lightgbm"
    assert decision["decision"] in ("promote_challenger", "promote_baseline")
    assert result[f"{winner}_ips_dcg_at_10"] >= 1.05 * result["index_ips_dcg_at_10"]
    client = MlflowClient(lake_settings.tracking_uri)
    assert load_champion_ranker(lake_settings).kind == winner
    assert result["promoted"] == (winner == "neural")
    version = client.get_model_version(MODEL_NAME, result["version"])
    assert version.tags["feature_service"] == "ranker_v2"
    assert version.tags["data.held_out_day"] == "2024-03-05"
    run = client.get_run(result["run_id"])
    assert run.data.params["loss"] == "pointwise_worth_with_position_bias"
    assert run.info.artifact_uri.startswith(lake_settings.mlflow_artifacts_dir.as_uri())


def test_worse_challenger_keeps_the_champion_and_says_why(
    lake_settings, embeddings, champion_learnt_earlier
):
    champion = champion_version(MlflowClient(lake_settings.tracking_uri), MODEL_NAME)
    champion_learnt_earlier(lake_settings, MODEL_NAME)
    result = train_ranker(lake_settings, shuffle_labels=True, embeddings=embeddings)
    client = MlflowClient(lake_settings.tracking_uri)
    assert not result["promoted"]
    assert champion_version(client, MODEL_NAME) == champion
    tags = client.get_model_version(MODEL_NAME, result["version"]).tags
    assert tags["promotion.decision"] == "rejected"
    assert "does not beat the incumbent" in tags["promotion.reason"]
    assert result["decision"]["champion_before"] == champion
    assert (
        str(client.get_model_version_by_alias(MODEL_NAME, "challenger").version)
        == result["version"]
    )


def test_champion_ranker_prefers_the_shoppers_category_and_is_fast(lake_settings):
    ranker = load_champion_ranker(lake_settings)
    assert ranker is not None
    assert ranker.version == champion_version(MlflowClient(lake_settings.tracking_uri), MODEL_NAME)
    # A trained version reads exactly the features the shared rows carry.
    assert ranker.scorer.feature_names == FEATURES
    base = {name: 1.0 for name in FEATURES} | {"rating": 4.0, "brand_affinity": 0.0}
    liked, other = ranker.score(
        [base | {"category_affinity": 1.0}, base | {"category_affinity": 0.0}]
    )
    assert liked > other
    rows = [base | {"index_score": float(i % 7), "price": None} for i in range(100)]
    ranker.score(rows)
    started = time.perf_counter()
    scores = ranker.score(rows)
    assert len(scores) == 100
    assert time.perf_counter() - started < 0.05


def test_an_empty_window_stops_training_and_leaves_the_champion(lake_settings, embeddings):
    client = MlflowClient(lake_settings.tracking_uri)
    champion = champion_version(client, MODEL_NAME)
    examples = lake_settings.lake_dir / "gold" / "ranking_examples"
    backup = examples.with_name("ranking_examples.bak")
    shutil.move(examples, backup)
    examples.mkdir()
    try:
        with pytest.raises(TrainingDataError) as error:
            train_ranker(lake_settings, embeddings=embeddings)
        assert error.value.code == "gold_table_empty"
    finally:
        shutil.rmtree(examples)
        shutil.move(backup, examples)
    assert champion_version(client, MODEL_NAME) == champion


def test_a_lightgbm_version_loads_and_scores_like_its_booster(tmp_path, embeddings):
    import mlflow

    from features.training_sets import ranking_training_set
    from models.ranker.boosted import fit_lambdarank, score_boosted
    from models.ranker.data import search_lists
    from models.ranker.mlflow_io import log_candidate
    from models.ranker.predict import BoosterScorer, load_version
    from models.tracking import RANKER_EXPERIMENT, use_experiment

    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    write_sample_gold(settings)
    lists = search_lists(ranking_training_set(settings), {}, embeddings)
    booster = fit_lambdarank(lists, np.ones(lists.labels.shape), seed=0, rounds=20)
    use_experiment(settings, RANKER_EXPERIMENT)
    with mlflow.start_run():
        version = log_candidate("lightgbm", booster, lists, register=True, feature_names=FEATURES)
    assert version == "1"
    ranker = load_version(settings, version)
    assert isinstance(ranker.scorer, BoosterScorer) and ranker.kind == "lightgbm"
    assert ranker.scorer.booster.feature_name()[: len(FEATURES)] == FEATURES  # named columns
    rows = [dict(zip(FEATURES, values, strict=True)) for values in lists.features[0].tolist()]
    expected = score_boosted(booster, lists.features[:1], lists.mask[:1])[0]
    assert ranker.score(rows) == pytest.approx(expected.tolist())


def test_index_order_that_beats_a_worse_champion_is_registered_and_served(
    tmp_path, embeddings, champion_learnt_earlier
):
    from concurrent.futures import ThreadPoolExecutor

    from serving.search.ranking import rank_candidates

    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    examples = write_sample_gold(settings)["ranking_examples"]
    first = train_ranker(settings, embeddings=embeddings)
    assert first["decision"]["decision"] in ("promote_challenger", "promote_baseline")
    assert load_champion_ranker(settings).kind in ("neural", "lightgbm"), first["reason"]
    # Then shoppers change: they only ever buy the top result, which the champion learnt to
    # move; index order is now the best thing the store knows.
    only_the_top_result_is_bought(settings, examples)
    champion_learnt_earlier(settings, MODEL_NAME)
    second = train_ranker(settings, shuffle_labels=True, embeddings=embeddings)
    record = second["decision"]
    assert record["decision"] == "promote_baseline", record["reason"]
    assert record["winner"]["name"] == "index" and record["champion_before"] == first["champion"]
    client = MlflowClient(settings.tracking_uri)
    index_version = champion_version(client, MODEL_NAME)
    assert index_version == record["champion_after"] not in (first["champion"], second["version"])
    assert client.get_model_version(MODEL_NAME, index_version).tags["model.kind"] == "index"
    served = load_champion_ranker(settings)
    assert served is not None and served.kind == "index"
    candidates = [{"product_id": f"p-{i}", "score": 9.0 - i, "stock": 1} for i in range(5)]
    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = rank_candidates(candidates, served, pool)
    assert outcome.candidates == candidates and outcome.ranker == index_version
