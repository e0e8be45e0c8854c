"""The promotion gate against a real MLflow SQLite registry: what moves, what does not, and that
every decision is written down with its reason (version tags, run metrics, decisions.jsonl)."""

from __future__ import annotations

import shutil

import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient

from models.errors import TrainingDataError
from models.gate import Contender, decide
from models.recommender.mlflow_io import MODEL_NAME, log_recommender
from models.recommender.model import ProductScorer
from models.recommender.predict import load_champion_recommender
from models.recommender.scorers import PopularityScorer
from models.recommender.train import train_recommender
from models.registry import apply_decision, champion_version, read_decisions
from models.tracking import mlflow_client, use_experiment
from storeloop.settings import Settings

pytestmark = pytest.mark.slow
N = 300


def per_unit(mean: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(mean, 0.2, size=N), 0.0, None)


def registered(client: MlflowClient, name: str, count: int) -> list[str]:
    client.create_registered_model(name)
    return [
        str(client.create_model_version(name, source="file:///nowhere").version)
        for _ in range(count)
    ]


def round_with(settings: Settings, challenger: np.ndarray, champion: np.ndarray, seed: int):
    baseline = champion - 0.05
    return decide(
        "gate-model", "ndcg_at_10", "shoppers",
        [Contender("sasrec", "sasrec", "challenger", challenger)],
        [Contender("popularity", "popularity", "baseline", baseline)],
        Contender("champion", "sasrec", "champion", champion, "1"), "popularity", seed=seed,
    )  # fmt: skip


def test_noise_is_rejected_a_clear_win_promoted_and_both_written_down(tmp_path):
    settings = Settings(data_dir=tmp_path)
    client = mlflow_client(settings)
    first, second, third = registered(client, "gate-model", 3)
    client.set_registered_model_alias("gate-model", "champion", first)
    use_experiment(settings, "gate")
    champion = per_unit(0.08, 1)

    noisy = champion + np.random.default_rng(2).normal(0.0, 0.15, size=N)
    noisy += 0.002 - (noisy - champion).mean()  # better on average, by noise
    with mlflow.start_run() as run:
        pass
    decision = round_with(settings, noisy, champion, seed=3)
    record = apply_decision(settings, client, decision, run_id=run.info.run_id,
                            versions={"sasrec": second})  # fmt: skip
    assert record["decision"] == "keep" and record["champion_after"] == first
    assert champion_version(client, "gate-model") == first
    assert str(client.get_model_version_by_alias("gate-model", "challenger").version) == second
    tags = client.get_model_version("gate-model", second).tags
    assert tags["promotion.decision"] == "rejected"
    assert "does not beat the incumbent champion v1" in tags["promotion.reason"]
    assert tags["promotion.n"] == str(N) and tags["promotion.ci"].startswith("[-")
    metrics = client.get_run(run.info.run_id).data.metrics
    assert metrics["gate.ci_low"] < 0 < metrics["gate.ci_high"] and metrics["gate.n"] == N

    with mlflow.start_run() as run:
        pass
    clear = champion + 0.04
    record = apply_decision(settings, client, round_with(settings, clear, champion, seed=3),
                            run_id=run.info.run_id, versions={"sasrec": third})  # fmt: skip
    assert record["decision"] == "promote_challenger"
    assert champion_version(client, "gate-model") == third
    assert client.get_model_version("gate-model", third).tags["promotion.decision"] == "champion"
    decisions = read_decisions(settings)
    assert [d["decision"] for d in decisions] == ["keep", "promote_challenger"]
    assert [d["champion_after"] for d in decisions] == [first, third]
    assert decisions[1]["ci_low"] > 0 and decisions[1]["reason"] == record["reason"]


@pytest.fixture(scope="module")
def shop(sample_lake):
    return sample_lake(products=120, customers=48)


def test_a_baseline_that_beats_a_bad_champion_is_registered_and_served(shop):
    # A champion that recommends the least popular products first: today's item-kNN is better.
    products = sorted(f"p-{i:06d}" for i in range(1, 121))
    backwards = PopularityScorer(np.arange(len(products) + 1, 0, -1, dtype=np.float32))
    use_experiment(shop, "recommender")
    client = mlflow_client(shop)
    with mlflow.start_run():
        bad = log_recommender(
            ProductScorer(backwards, products, "popularity"), popular=[], neighbours={},
            categories={}, example=[products[:3], products[3:5]], name="model", register=True,
        )  # fmt: skip
    client.set_registered_model_alias(MODEL_NAME, "champion", bad)

    # An untrained network: whatever shares validation gives it, it is item-kNN at best.
    result = train_recommender(shop, epochs=0, titles={})
    record = result["decision"]
    assert record["champion_before"] == bad
    assert record["incumbent"]["name"] == "item_knn"
    assert record["decision"] == "promote_baseline", record["reason"]
    winner = record["champion_after"]
    assert winner not in (bad, result["version"]) and record["winner"]["version"] == winner
    version = client.get_model_version(MODEL_NAME, winner)
    assert version.tags["model.kind"] == "item_knn"
    assert version.tags["promotion.decision"] == "champion"
    assert "baseline item_knn beats champion v" in version.tags["promotion.reason"]
    served = load_champion_recommender(shop)
    assert served is not None and (served.version, served.kind) == (winner, "item_knn")


@pytest.mark.parametrize("damage", ["empty", "corrupt"])
def test_an_empty_or_corrupt_window_stops_training_and_moves_no_alias(shop, damage):
    client = MlflowClient(shop.tracking_uri)
    before = champion_version(client, MODEL_NAME)
    versions = len(client.search_model_versions(f"name='{MODEL_NAME}'"))
    table = shop.lake_dir / "gold" / "interactions"
    backup = table.with_name("interactions.bak")
    shutil.copytree(table, backup)
    try:
        if damage == "empty":
            shutil.rmtree(table)
            table.mkdir()
        else:
            bad = next(table.glob("dt=*"))
            (bad / "part-bad.parquet").write_bytes(b"not a parquet file")
        with pytest.raises(TrainingDataError) as error:
            train_recommender(shop, epochs=1, titles={})
        assert error.value.code == f"gold_table_{damage}"
    finally:
        shutil.rmtree(table)
        shutil.move(backup, table)
    assert champion_version(client, MODEL_NAME) == before
    assert len(client.search_model_versions(f"name='{MODEL_NAME}'")) == versions
