"""The ranker's online experiment against a real MLflow SQLite registry and a silver lake in
Parquet: an offline win, or a challenger within noise of the incumbent offline, waits for the
interleaving; only a significant interleaving win after that promotes; a loss, too little
traffic or a challenger behind by more than noise offline promote nothing; every ending is
written down (run metrics, version tags, decisions.jsonl)."""

from __future__ import annotations

import mlflow
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from mlflow import MlflowClient

from models.gate import Contender, decide
from models.ranker.experiment import conclude_interleaving
from models.ranker.predict import MODEL_NAME
from models.registry import apply_decision, champion_version, read_decisions
from models.tracking import mlflow_client, use_experiment
from storeloop.settings import Settings

N = 300


def silver(settings: Settings, champion: str, challenger: str, wins: int, losses: int) -> None:
    """Interleaved searches of the pair: `wins` where the shopper clicked the challenger's
    result, `losses` the champion's; the first challenger win was ordered."""
    impressions, clicks = [], []
    for n in range(wins + losses):
        search = f"srch-{n}"
        impressions += [(search, 1, f"p-{n}a", challenger), (search, 2, f"p-{n}b", champion)]
        clicks.append((search, 1 if n < wins else 2))
    _write(settings, "search_impressions", ["search_id", "position", "product_id", "team"],
           impressions)  # fmt: skip
    _write(settings, "clicks", ["search_id", "position"], clicks)
    _write(settings, "order_items", ["search_id", "product_id"], [("srch-0", "p-0a")])


def _write(settings: Settings, table: str, columns: list[str], rows: list[tuple]) -> None:
    folder = settings.lake_dir / "silver" / table / "dt=2024-03-05"
    folder.mkdir(parents=True, exist_ok=True)
    data = {c: [row[i] for row in rows] for i, c in enumerate(columns)}
    pq.write_table(pa.table(data), folder / "part-0.parquet")


@pytest.fixture
def registry(tmp_path):
    """Version 1 is the champion; versions 2 and 3 are challengers of later rounds."""
    settings = Settings(data_dir=tmp_path, interleave_share=0.5)
    settings.ensure_dirs()
    client = mlflow_client(settings)
    use_experiment(settings, "ranker-experiment")
    client.create_registered_model(MODEL_NAME)
    with mlflow.start_run() as run:
        pass
    for _ in range(3):
        client.create_model_version(MODEL_NAME, source="file:///nowhere", run_id=run.info.run_id)
    client.set_registered_model_alias(MODEL_NAME, "champion", "1")
    return settings, client, run.info.run_id


def offline_round(
    settings: Settings, client: MlflowClient, run_id: str, gain: float, noise: float = 0.0
) -> dict:
    rng = np.random.default_rng(4)
    champion = np.clip(rng.normal(0.5, 0.2, size=N), 0.0, None)
    challenger = champion + gain + rng.normal(0.0, noise, size=N)
    decision = decide(
        MODEL_NAME, "ips_dcg_at_10", "searches",
        [Contender("neural", "neural", "challenger", challenger)],
        [Contender("index", "index", "baseline", champion - 0.05)],
        Contender("champion", "neural", "champion", champion, "1"), "index", seed=5,
    )  # fmt: skip
    return apply_decision(
        settings, client, decision, run_id=run_id, versions={"neural": "2"},
        confirm_online=settings.interleave_share > 0,
    )  # fmt: skip


def test_an_offline_win_waits_for_the_interleaving_and_a_clear_win_there_promotes(registry):
    settings, client, run_id = registry
    record = offline_round(settings, client, run_id, gain=0.05)
    assert record["decision"] == "promote_challenger" and record["online"] == "pending"
    assert champion_version(client, MODEL_NAME) == "1"  # not yet
    assert str(client.get_model_version_by_alias(MODEL_NAME, "challenger").version) == "2"
    tags = client.get_model_version(MODEL_NAME, "2").tags
    assert tags["gate.offline"] == "passed"
    assert tags["promotion.decision"] == "awaiting_experiment"

    silver(settings, champion="1", challenger="2", wins=30, losses=10)
    ended = conclude_interleaving(settings, client)
    assert ended is not None and ended["verdict"] == "win" and ended["p_value"] < 0.05
    assert ended["decision"] == "promote_challenger" and ended["reason"].endswith("promoted")
    assert (ended["wins"], ended["losses"], ended["challenger_orders"]) == (30, 10, 1)
    assert champion_version(client, MODEL_NAME) == "2"
    assert "challenger" not in client.get_registered_model(MODEL_NAME).aliases
    metrics = client.get_run(run_id).data.metrics
    assert metrics["interleaving.wins"] == 30 and metrics["interleaving.losses"] == 10
    assert client.get_model_version(MODEL_NAME, "2").tags["promotion.decision"] == "champion"
    assert read_decisions(settings)[-1]["stage"] == "online"
    assert conclude_interleaving(settings, client) is None  # the experiment is over


@pytest.mark.parametrize(
    ("wins", "losses", "verdict", "said"),
    [(10, 30, "loss", "not promoted"), (12, 10, "inconclusive", "nothing promoted"),
     (0, 0, "inconclusive", "nothing promoted")],
)  # fmt: skip
def test_a_loss_or_too_little_traffic_promotes_nothing(registry, wins, losses, verdict, said):
    settings, client, run_id = registry
    offline_round(settings, client, run_id, gain=0.05)
    silver(settings, champion="1", challenger="2", wins=wins, losses=losses)
    ended = conclude_interleaving(settings, client)
    assert ended is not None and ended["verdict"] == verdict and ended["reason"].endswith(said)
    assert champion_version(client, MODEL_NAME) == "1"
    assert client.get_model_version(MODEL_NAME, "2").tags["promotion.decision"] == "rejected"
    assert "challenger" not in client.get_registered_model(MODEL_NAME).aliases


def test_an_online_win_without_the_offline_gate_promotes_nothing(registry):
    settings, client, run_id = registry
    record = offline_round(settings, client, run_id, gain=-0.05)
    assert record["decision"] == "keep" and "online" not in record
    assert client.get_model_version(MODEL_NAME, "2").tags["gate.offline"] == "failed"
    silver(settings, champion="1", challenger="2", wins=30, losses=10)
    ended = conclude_interleaving(settings, client)
    assert ended is not None and ended["verdict"] == "win"
    assert ended["decision"] == "keep" and "did not pass the offline gate" in ended["reason"]
    assert champion_version(client, MODEL_NAME) == "1"


def test_a_challenger_within_noise_offline_is_tried_online_and_a_clear_win_there_promotes(
    registry,
):
    settings, client, run_id = registry
    record = offline_round(settings, client, run_id, gain=0.0, noise=0.3)
    assert record["decision"] == "keep" and record["online"] == "pending"
    assert "is not behind" in record["reason"] and "only if it wins there" in record["reason"]
    tags = client.get_model_version(MODEL_NAME, "2").tags
    assert tags["gate.offline"] == "passed"
    assert tags["promotion.decision"] == "awaiting_experiment"
    silver(settings, champion="1", challenger="2", wins=30, losses=10)
    ended = conclude_interleaving(settings, client)
    assert ended is not None and ended["decision"] == "promote_challenger"
    assert champion_version(client, MODEL_NAME) == "2"


def test_without_experiments_a_challenger_within_noise_offline_moves_nothing(registry):
    settings, client, run_id = registry
    settings = settings.model_copy(update={"interleave_share": 0.0})
    record = offline_round(settings, client, run_id, gain=0.0, noise=0.3)
    assert record["decision"] == "keep" and "online" not in record
    assert champion_version(client, MODEL_NAME) == "1"
    assert client.get_model_version(MODEL_NAME, "2").tags["gate.offline"] == "failed"


def test_without_experiments_an_offline_win_is_promoted_at_once(registry):
    settings, client, run_id = registry
    settings = settings.model_copy(update={"interleave_share": 0.0})
    record = offline_round(settings, client, run_id, gain=0.05)
    assert record["champion_after"] == "2" and champion_version(client, MODEL_NAME) == "2"


def test_the_first_offline_win_waits_for_an_interleaving_against_the_best_baseline(registry):
    """With no version champion yet, a net that wins offline is not promoted on a day of logs
    alone: the window's best baseline is registered and serves while the two are interleaved."""
    settings, client, run_id = registry
    client.delete_registered_model_alias(MODEL_NAME, "champion")
    rng = np.random.default_rng(4)
    index = np.clip(rng.normal(0.5, 0.2, size=N), 0.0, None)
    decision = decide(
        MODEL_NAME, "ips_dcg_at_10", "searches",
        [Contender("neural", "neural", "challenger", index + 0.05)],
        [Contender("index", "index", "baseline", index),
         Contender("lightgbm", "lightgbm", "baseline", index - 0.01)],
        None, "index", seed=5,
    )  # fmt: skip
    record = apply_decision(
        settings, client, decision, run_id=run_id, versions={"neural": "2", "index": "1"},
        confirm_online=True,
    )  # fmt: skip
    assert record["decision"] == "promote_challenger" and record["online"] == "pending"
    assert "index serves meanwhile" in record["reason"]
    assert champion_version(client, MODEL_NAME) == "1"
    assert client.get_model_version(MODEL_NAME, "2").tags["promotion.decision"] == (
        "awaiting_experiment"
    )
    silver(settings, champion="1", challenger="2", wins=30, losses=10)
    ended = conclude_interleaving(settings, client)
    assert ended is not None and ended["decision"] == "promote_challenger"
    assert champion_version(client, MODEL_NAME) == "2"
