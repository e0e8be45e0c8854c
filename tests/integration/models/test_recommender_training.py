"""Recommender on a synthetic lake: distinct-product sequences, an honest held-out target, a gate
against popularity, exclusions and similar products."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from mlflow import MlflowClient

from features.sample_gold import write_sample_gold
from models.recommender.data import interaction_sequences
from models.recommender.predict import load_champion_recommender
from models.recommender.train import MODEL_NAME, train_recommender
from models.registry import champion_version, promote_if_better
from models.tracking import mlflow_client
from storeloop.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shelf_lake(tmp_path_factory):
    # 50 products per category: after nine of them, the tenth is a real guess, not the leftover.
    settings = Settings(data_dir=tmp_path_factory.mktemp("store"))
    settings.ensure_dirs()
    write_sample_gold(settings, products=200, customers=16)
    return settings


def test_repeated_interactions_collapse_to_one_step_and_the_target_is_new():
    at = datetime(2024, 3, 1, tzinfo=UTC)
    rows = [
        ("c1", "p1", 0, 1), ("c1", "p1", 1, 2), ("c1", "p2", 2, 1), ("c1", "p1", 3, 3),
        ("c1", "p3", 4, 1), ("c1", "p3", 5, 3), ("c2", "p9", 0, 1), ("c2", "p9", 1, 3),
    ]  # fmt: skip
    frame = pd.DataFrame(
        [(c, p, at + timedelta(minutes=m), w) for c, p, m, w in rows],
        columns=["customer_id", "product_id", "event_timestamp", "weight"],
    )
    sequences = interaction_sequences(frame, {"p1": "books", "p7": "toys"})
    assert sequences.full == {"c1": ["p1", "p2", "p3"], "c2": ["p9"]}
    assert sequences.held_out == [("c1", ["p1", "p2"], "p3")]
    assert sequences.train == {"c1": ["p1", "p2"], "c2": ["p9"]}
    assert sequences.purchased == {"c1": {"p1", "p3"}, "c2": {"p9"}}
    assert sequences.categories["p7"] == "toys"  # catalog products are rankable too


def test_recommender_beats_the_baselines_and_a_worse_one_is_rejected(shelf_lake):
    first = train_recommender(shelf_lake)
    assert first["promoted"], first["reason"]
    assert first["ndcg_at_10"] > first["popularity_ndcg_at_10"]
    assert first["hr_at_10"] > first["popularity_hr_at_10"]
    assert first["hr_at_10"] < 1.0  # no leftover-item or repeat-the-last-item giveaway
    assert "cooccurrence_ndcg_at_10" in first

    worse = train_recommender(shelf_lake, epochs=0)
    client = MlflowClient(shelf_lake.tracking_uri)
    assert not worse["promoted"]
    assert champion_version(client, MODEL_NAME) == first["version"]
    reason = client.get_model_version(MODEL_NAME, worse["version"]).tags["promotion.reason"]
    assert "does not beat champion" in reason


def test_first_version_must_beat_the_popularity_it_replaces(tmp_path):
    client = mlflow_client(Settings(data_dir=tmp_path))
    client.create_registered_model("gate-recommender")
    first, second = (
        str(client.create_model_version("gate-recommender", source="file:///nowhere").version)
        for _ in range(2)
    )

    def never(version: str) -> float:
        raise AssertionError("there is no champion to re-score")

    lost = promote_if_better(client, "gate-recommender", first, "ndcg", 0.02, never, 0.03)
    assert not lost.promoted
    assert champion_version(client, "gate-recommender") is None
    assert str(client.get_model_version_by_alias("gate-recommender", "challenger").version) == first
    tags = client.get_model_version("gate-recommender", first).tags
    assert "does not beat the baseline 0.0300" in tags["promotion.reason"]

    won = promote_if_better(client, "gate-recommender", second, "ndcg", 0.05, never, 0.03)
    assert won.promoted and champion_version(client, "gate-recommender") == second


def test_champion_recommends_new_products_and_falls_back_for_strangers(shelf_lake):
    recommender = load_champion_recommender(shelf_lake)
    assert recommender is not None and recommender.version
    history = set(recommender._net.histories["c-000001"])
    known = recommender.recommend("c-000001", k=5)
    assert len(known) == 5 and len({p for p, _ in known}) == 5
    assert not {p for p, _ in known} & history  # never what the shopper already saw or bought
    scores = [score for _, score in known]
    assert scores == sorted(scores, reverse=True)

    skipped = {p for p, _ in known[:2]}
    assert not skipped & {p for p, _ in recommender.recommend("c-000001", k=5, exclude=skipped)}
    everything = recommender.recommend("c-000001", k=len(recommender._net.item_ids))
    assert {p for p, _ in everything[-len(history) :]} == history  # seen ones only fill the end

    stranger = recommender.recommend("c-unknown", k=3)
    assert stranger == recommender.popular(3)
    assert len(stranger) == 3
    assert recommender.strategy("c-000001") == "sasrec"
    assert recommender.strategy("c-unknown") == "popularity"  # cold start, said out loud


def test_similar_products_share_the_shelf_and_unknown_falls_back(shelf_lake):
    recommender = load_champion_recommender(shelf_lake)
    similar = recommender.similar("p-000001", k=5)
    assert len(similar) == 5 and "p-000001" not in {p for p, _ in similar}
    # sample_gold puts product i in category i % 4: the same shelf is one index apart by 4.
    assert sum((int(p[2:]) - 1) % 4 == 0 for p, _ in similar) >= 4
    assert recommender.similar("p-nowhere", k=3) == recommender.popular(3)
    assert recommender.similar_strategy("p-nowhere") == "popularity"
