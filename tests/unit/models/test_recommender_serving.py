"""The recommender's scoring modules and the served Recommender: one input shape for every kind,
histories handed in per request (a purchase changes the next list), fallbacks for strangers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from models.recommender.also_bought import also_bought, co_occurrence_neighbours
from models.recommender.contenders import choose_shares, fit_contenders
from models.recommender.data import Sequences
from models.recommender.model import ProductScorer, StoreRecommender, TitledSASRec, pad
from models.recommender.predict import Recommender, best_first
from models.recommender.sasrec import SASRecConfig
from models.recommender.scorers import (
    ContentScorer,
    CoOccurrenceScorer,
    PopularityScorer,
    item_counts,
)
from models.recommender.sequence_file import Split

IDS = ["p-1", "p-2", "p-3", "p-4", "p-5", "p-6"]
# Shoppers walk 1 -> 2 -> 3 or 4 -> 5 -> 6: the next item follows from the last one.
TRAIN = [[1, 2, 3]] * 5 + [[4, 5, 6]] * 5 + [[1, 2]]
# Titles: 1..3 are kettles, 4..6 are shoes (unit vectors in two directions, a little apart).
TITLES = np.zeros((7, 384), dtype=np.float32)
DIRECTIONS = [(1, 0), (0.99, 0.14), (0.98, 0.2), (0, 1), (0.14, 0.99), (0.2, 0.98)]
for item, (x, y) in enumerate(DIRECTIONS, start=1):
    TITLES[item, :2] = (x, y)
TITLES[1:] /= np.linalg.norm(TITLES[1:], axis=1, keepdims=True)


def store_model(shares=(0.2, 0.5, 0.3)) -> StoreRecommender:
    config = replace(SASRecConfig(), max_len=10, hidden=8)
    torch.manual_seed(0)
    network = TitledSASRec(6, config, [0, 1, 1, 1, 2, 2, 2], TITLES).eval()
    counts = item_counts(TRAIN, 6)
    content = ContentScorer(TITLES, counts, 0.1, 0.5)
    return StoreRecommender(network, CoOccurrenceScorer.fit(TRAIN, 6), content, shares).eval()


def recommender(module, kind="sasrec") -> Recommender:
    popular = [("p-2", 0.3), ("p-1", 0.2), ("p-5", 0.1)]
    bought = {"c-1": {"p-1", "p-2"}, "c-2": {"p-1", "p-5"}}
    neighbours = also_bought(bought, {"c-1": ["p-1", "p-3"]})
    return Recommender("9", ProductScorer(module, IDS, kind), popular, neighbours)


@pytest.mark.parametrize(
    "module",
    [PopularityScorer.fit(TRAIN, 6), CoOccurrenceScorer.fit(TRAIN, 6),
     ContentScorer(TITLES, item_counts(TRAIN, 6), 0.1, 0.0), store_model()],
    ids=["popularity", "item_knn", "content", "sasrec"],
)  # fmt: skip
def test_every_kind_scores_left_padded_histories_alike(module):
    short = module(torch.tensor([[0, 1, 2], [0, 0, 4]]))
    assert short.shape == (2, 7)
    longer = module(torch.tensor([[0, 0, 0, 1, 2], [0, 0, 0, 0, 4]]))  # more padding, same rows
    assert torch.allclose(short[:, 1:], longer[:, 1:], atol=1e-5)


def test_the_store_model_is_a_distribution_over_the_catalog():
    scores = store_model()(pad([[1], [4, 5]]))
    assert torch.isneginf(scores[:, 0]).all()
    assert torch.allclose(scores[:, 1:].exp().sum(dim=1), torch.ones(2), atol=1e-5)


def test_co_occurrence_prefers_near_neighbours_and_recent_items():
    knn = CoOccurrenceScorer.fit(TRAIN, 6)
    scores = knn(pad([[1, 2], [4]]))
    scores[0, [1, 2]] = -1.0  # the history itself is never recommended
    assert int(scores[0, 1:].argmax()) + 1 == 3  # after 1 and 2 comes 3
    assert int(scores[1, 1:].argmax()) + 1 == 5


def test_title_similarity_scores_look_alikes_of_the_last_items():
    content = ContentScorer(TITLES, item_counts(TRAIN, 6), 0.1, 0.0)
    scores = content(pad([[4]]))[0, 1:]
    assert set(scores.argsort(descending=True)[:3].tolist()) == {3, 4, 5}  # the shoes


def test_a_purchase_changes_the_next_recommendation():
    served = recommender(store_model())
    before = [p for p, _ in served.recommend(["p-1"], k=6)]
    after = [p for p, _ in served.recommend(["p-1", "p-4"], k=6, purchased=["p-4"])]
    assert before[:3] != after[:3]  # the same model, a history one purchase longer
    assert after.index("p-5") < before.index("p-5")  # what follows the shoes moved up
    assert after[-1] == "p-4"  # the purchase itself only fills the end


def test_seen_then_bought_products_only_fill_the_end_and_exclusions_hold():
    served = recommender(CoOccurrenceScorer.fit(TRAIN, 6), "item_knn")
    everything = served.recommend(["p-1", "p-2"], k=6, purchased=["p-1"])
    assert [p for p, _ in everything][-2:] == ["p-2", "p-1"]  # seen, then bought
    assert "p-3" not in {p for p, _ in served.recommend(["p-2"], k=3, exclude={"p-3"})}


def test_a_history_the_version_never_saw_gets_popular_products():
    served = recommender(store_model())
    assert not served.knows(["p-404"]) and served.knows(["p-404", "p-1"])
    assert served.recommend(["p-404"], k=2) == [("p-2", 0.3), ("p-1", 0.2)]
    assert served.popular(2, {"p-2"}) == [("p-1", 0.2), ("p-5", 0.1)]


def test_also_bought_puts_co_purchases_before_co_views():
    served = recommender(store_model())
    similar = served.similar("p-1", k=4)
    assert [p for p, _ in similar] == ["p-2", "p-5", "p-3"]  # bought, bought, viewed
    assert similar[0][1] > 1.0 >= similar[2][1]
    assert served.similar("p-404", k=2) == []


def test_co_purchases_are_cosine_weighted_and_symmetric():
    neighbours = co_occurrence_neighbours([{"a", "b"}, {"a", "b"}, {"a", "c"}])
    assert [p for p, _ in neighbours["a"]] == ["b", "c"]
    assert neighbours["b"] == [("a", pytest.approx(2 / (3 * 2) ** 0.5))]


def test_products_without_a_title_learn_their_own_vector():
    titles = TITLES.copy()
    titles[6] = 0.0
    config = replace(SASRecConfig(), max_len=10, hidden=8)
    network = TitledSASRec(6, config, [0, 1, 1, 1, 2, 2, 2], titles)
    with torch.no_grad():
        network.items.weight[1:] = 5.0  # own vectors: used by p-6 only
        table = network.item_table()
        network.items.weight[1:] = -5.0
        changed = network.item_table()
    assert torch.equal(table[:6], changed[:6]) and not torch.equal(table[6], changed[6])


def test_an_untrained_network_hands_its_share_to_the_parts_that_know():
    validation = Split(histories=[[1], [4], [1, 2], [4, 5]], targets=[2, 5, 3, 6])
    shares = choose_shares(store_model((1.0, 0.0, 0.0)), validation)
    assert shares[0] < 1.0 and sum(shares) == pytest.approx(1.0)
    assert choose_shares(store_model(), Split([], [])) == (1.0, 0.0, 0.0)


def test_the_stores_neighbours_never_see_a_held_out_product():
    # "x" follows "a" only as customers' held-out products: neighbours that knew that pair
    # would be scored on the answers they were built from.
    full = {f"c{i}": ["a", "b", "e", "x"] if i % 2 else ["b", "c", "d", "e"] for i in range(12)}
    train = {customer: items[:-1] for customer, items in full.items()}
    held_out = [(customer, items[:-1], items[-1]) for customer, items in full.items()]
    sequences = Sequences(full, train, held_out, {}, {p: "" for p in "abcdex"})
    fitted = fit_contenders(sequences, {}, epochs=1, seed=7)
    knn = fitted.scorers["item_knn"]
    a, x, b, c = (knn.index[p] for p in "axbc")
    neighbours = knn.module.neighbours
    weights = knn.module.weights
    assert x not in neighbours[a][weights[a] > 0].tolist()
    assert c in neighbours[b][weights[b] > 0].tolist()
    assert set(fitted.scorers) == {"sasrec", "item_knn", "popularity"}


@pytest.mark.parametrize("needed", [1, 3, 10, 199, 200, 500])
def test_the_best_first_are_a_full_stable_sorts_first(needed):
    """Only the head is sorted, and it is the head a stable sort of every score gives, ties by
    index included (scores of a few values: many ties at the cut)."""
    scores = np.random.default_rng(needed).integers(0, 6, size=200).astype(np.float64)
    scores[0] = -np.inf
    full = np.argsort(-scores, kind="stable")
    head = best_first(scores, needed)
    assert len(head) >= min(needed, len(scores))
    assert head.tolist() == full[: len(head)].tolist()
