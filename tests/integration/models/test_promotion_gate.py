"""The champion gate against a real MLflow SQLite registry."""

from __future__ import annotations

from mlflow import MlflowClient

from models.registry import champion_version, promote_if_better
from models.tracking import mlflow_client
from storeloop.settings import Settings


def _versions(client: MlflowClient, name: str, count: int) -> list[str]:
    client.create_registered_model(name)
    return [
        str(client.create_model_version(name, source="file:///nowhere").version)
        for _ in range(count)
    ]


def test_gate_compares_against_the_rescored_champion(tmp_path):
    client = mlflow_client(Settings(data_dir=tmp_path))
    first, second, third = _versions(client, "gate-model", 3)
    rescored = []

    def champion_on_this_window(version: str) -> float:
        rescored.append(version)
        return 0.6  # the champion's logged value is ignored: only this re-score counts

    assert promote_if_better(
        client, "gate-model", first, "ndcg", 0.5, champion_on_this_window
    ).promoted
    assert rescored == []  # nothing to compare the first version against

    decision = promote_if_better(
        client, "gate-model", second, "ndcg", 0.55, champion_on_this_window
    )
    assert not decision.promoted and rescored == [first]
    assert champion_version(client, "gate-model") == first
    tags = client.get_model_version("gate-model", second).tags
    assert tags["promotion.decision"] == "rejected"
    assert tags["promotion.champion_value"] == "0.600000"

    assert promote_if_better(
        client, "gate-model", third, "ndcg", 0.7, champion_on_this_window
    ).promoted
    assert champion_version(client, "gate-model") == third
    assert (
        "beats champion" in client.get_model_version("gate-model", third).tags["promotion.reason"]
    )
