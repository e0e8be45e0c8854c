"""What serving's /metrics says about its models: the version and kind each slot serves, the
baseline when a champion slot is empty, nothing for an empty challenger slot, and the creation
time that the stale-champion alert reads."""

from __future__ import annotations

from types import SimpleNamespace

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from serving.champions import CHALLENGER, RANKER, RECOMMENDER, ChampionSlot
from serving.metrics import ModelsCollector, Served
from storeloop.settings import Settings


def samples(collector) -> list[tuple[str, dict, float]]:
    registry = CollectorRegistry()
    registry.register(collector)
    text = generate_latest(registry).decode()
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def test_models_served_and_their_age(tmp_path):
    settings = Settings(data_dir=tmp_path)
    ranker, recommender = ChampionSlot(settings, RANKER), ChampionSlot(settings, RECOMMENDER)
    challenger = ChampionSlot(settings, RANKER, CHALLENGER)
    ranker.model, ranker.created_at = SimpleNamespace(version="7", kind="net"), 1_700_000_000.0
    collector = ModelsCollector()
    collector.served = [
        Served(ranker, "index"),
        Served(recommender, "popularity"),
        Served(challenger, None),
    ]

    found = samples(collector)
    info = [labels for name, labels, _ in found if name == "storeloop_serving_model_info"]
    assert info == [
        {"model": "search-ranker", "alias": "champion", "version": "7", "kind": "net"},
        {"model": "recommender", "alias": "champion", "version": "", "kind": "popularity"},
    ]
    created = [(labels, value) for name, labels, value in found if name.endswith("_seconds")]
    assert created == [({"model": "search-ranker", "alias": "champion"}, 1_700_000_000.0)]

    challenger.model = SimpleNamespace(version="8", kind="lightgbm")
    info = [labels for name, labels, _ in samples(collector) if name.endswith("model_info")]
    assert {
        "model": "search-ranker",
        "alias": "challenger",
        "version": "8",
        "kind": "lightgbm",
    } in info
