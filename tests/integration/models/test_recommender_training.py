"""Recommender on a synthetic lake: distinct-product sequences, an honest held-out target, the
gate against the baselines and the champion, histories handed in at request time, similar
products."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from mlflow import MlflowClient

from models.errors import TrainingDataError
from models.recommender.data import as_families, interaction_sequences
from models.recommender.predict import load_champion_recommender
from models.recommender.train import MODEL_NAME, train_recommender
from models.registry import champion_version, read_decisions

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shelf_lake(sample_lake):
    # 50 products per category: after nine of them, the tenth is a real guess, not the leftover.
    return sample_lake(products=200, customers=16)


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


def test_the_sizes_of_one_product_are_one_step_of_its_family():
    at = datetime(2024, 3, 1, tzinfo=UTC)
    rows = [("c1", "p1", 0, 1), ("c1", "h-m", 1, 1), ("c1", "h-l", 2, 3), ("c1", "p2", 3, 1)]
    frame = pd.DataFrame(
        [(c, p, at + timedelta(minutes=m), w) for c, p, m, w in rows],
        columns=["customer_id", "product_id", "event_timestamp", "weight"],
    )
    families = {"h-m": "f-hoodie", "h-l": "f-hoodie", "h-s": "f-hoodie"}
    catalog = {"p1": "books", "h-s": "clothes", "p2": "books"}
    frame, catalog = as_families(frame, catalog, families)
    sequences = interaction_sequences(frame, catalog)
    assert sequences.full == {"c1": ["p1", "f-hoodie", "p2"]}
    assert sequences.purchased == {"c1": {"f-hoodie"}}  # bought in size L: the hoodie is bought
    assert sequences.categories["f-hoodie"] == "clothes"
    assert as_families(frame, catalog, {}) == (frame, catalog)  # a catalog without variants


@pytest.fixture(scope="module")
def first_round(shelf_lake):
    return train_recommender(shelf_lake, titles={})


def test_a_round_scores_every_contender_on_the_same_shoppers_and_serves_the_winner(
    shelf_lake, first_round
):
    result = first_round
    for name in ("sasrec", "item_knn", "popularity", "network_only"):
        assert 0.0 <= result[f"{name}_ndcg_at_10"] <= 1.0
    assert result["ndcg_at_10"] == result["sasrec_ndcg_at_10"]
    assert result["item_knn_hr_at_10"] > result["popularity_hr_at_10"]  # neighbours know the shelf
    assert result["hr_at_10"] < 1.0  # no leftover-item or repeat-the-last-item giveaway
    record = result["decision"]
    # No champion yet: popularity (what serving shows) stands in; something better wins.
    assert record["champion_before"] is None
    assert record["decision"] in ("promote_challenger", "promote_baseline"), record["reason"]
    assert record["n"] == 16 and record["ci_low"] <= record["difference"] <= record["ci_high"]
    assert read_decisions(shelf_lake)[-1] == record
    assert record["challenger"]["version"] == result["version"]
    client = MlflowClient(shelf_lake.tracking_uri)
    assert champion_version(client, MODEL_NAME) == record["champion_after"] == result["champion"]
    served = load_champion_recommender(shelf_lake)
    assert served is not None and served.version == result["champion"]
    assert served.kind == record["winner"]["kind"]
    assert client.get_model_version(MODEL_NAME, result["version"]).tags["model.kind"] == "sasrec"


def test_a_round_without_new_data_stops_and_moves_nothing(shelf_lake, first_round):
    client = MlflowClient(shelf_lake.tracking_uri)
    champion = champion_version(client, MODEL_NAME)
    learnt = client.get_model_version(MODEL_NAME, first_round["version"]).tags["data.window_end"]
    client.set_model_version_tag(MODEL_NAME, champion, "data.window_end", learnt)
    versions = len(client.search_model_versions(f"name='{MODEL_NAME}'"))
    with pytest.raises(TrainingDataError) as error:
        train_recommender(shelf_lake, epochs=0, titles={})
    assert error.value.code == "empty_round" and f"champion v{champion}" in str(error.value)
    assert champion_version(client, MODEL_NAME) == champion
    assert len(client.search_model_versions(f"name='{MODEL_NAME}'")) == versions


def test_a_worse_round_moves_nothing_and_says_why(shelf_lake, first_round, champion_learnt_earlier):
    client = MlflowClient(shelf_lake.tracking_uri)
    champion = champion_version(client, MODEL_NAME)
    champion_learnt_earlier(shelf_lake, MODEL_NAME)
    worse = train_recommender(shelf_lake, epochs=0, titles={})
    assert not worse["promoted"] and worse["decision"]["decision"] != "promote_challenger"
    assert champion_version(client, MODEL_NAME) in (champion, worse["champion"])
    tags = client.get_model_version(MODEL_NAME, worse["version"]).tags
    assert tags["promotion.decision"] == "rejected"
    assert "does not beat the incumbent" in tags["promotion.reason"]
    assert worse["decision"]["champion_value"] is not None  # the champion was re-scored


def test_the_champion_ranks_the_history_it_is_handed(shelf_lake, first_round):
    recommender = load_champion_recommender(shelf_lake)
    assert recommender is not None
    history = ["p-000001", "p-000005", "p-000009"]  # category 0 of sample_gold, in shelf order
    known = recommender.recommend(history, k=5)
    assert len(known) == 5 and not {p for p, _ in known} & set(history)
    scores = [score for _, score in known]
    assert scores == sorted(scores, reverse=True)
    # p-000006 is on shelf 1, which other shoppers walked: its neighbours now lead.
    bought = recommender.recommend([*history, "p-000006"], k=5, purchased=["p-000006"])
    assert [p for p, _ in bought] != [p for p, _ in known]  # a purchase changes the next list
    skipped = {p for p, _ in known[:2]}
    assert not skipped & {p for p, _ in recommender.recommend(history, k=5, exclude=skipped)}
    assert recommender.recommend(["p-unknown"], k=3) == recommender.popular(3, {"p-unknown"})
    assert not recommender.knows(["p-unknown"])


def test_similar_products_share_the_shelf_and_unknown_ones_have_none(shelf_lake, first_round):
    recommender = load_champion_recommender(shelf_lake)
    similar = recommender.similar("p-000001", k=5)
    assert len(similar) == 5 and "p-000001" not in {p for p, _ in similar}
    # sample_gold puts product i in category i % 4: the same shelf is one index apart by 4.
    assert sum((int(p[2:]) - 1) % 4 == 0 for p, _ in similar) >= 4
    assert recommender.similar("p-nowhere", k=3) == []
