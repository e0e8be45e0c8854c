"""The hidden truth survives the round trip to disk, and judged queries are drawn from it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation.catalog import generate_catalog
from simulation.errors import SimulationError, SimulationErrorCode
from simulation.judged_queries import build_judged_queries
from simulation.relevance import true_relevance
from simulation.shoppers import generate_shoppers
from simulation.truth import load_truth, save_truth
from storeloop.settings import Settings


@pytest.fixture
def settings_with_truth(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    shoppers = generate_shoppers(12, 5)
    for shopper in shoppers:
        shopper.customer_id = f"c-{shopper.index + 1:06d}"
    save_truth(settings, generate_catalog(300, 5), shoppers)
    return settings


def test_truth_round_trip_keeps_products_and_tastes(settings_with_truth: Settings) -> None:
    truth = load_truth(settings_with_truth)
    original = generate_catalog(300, 5)
    assert [truth.products[p.product_id] for p in original] == original
    assert truth.products["p-000001"].terms == original[0].terms
    shopper = truth.shoppers["c-000003"]
    assert np.allclose(shopper.category_prefs, generate_shoppers(12, 5)[2].category_prefs)


def test_missing_truth_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(SimulationError) as raised:
        load_truth(Settings(data_dir=tmp_path))
    assert raised.value.code is SimulationErrorCode.NO_TRUTH


def test_judged_queries_are_seeded_and_consistent_with_the_truth(
    settings_with_truth: Settings,
) -> None:
    judged = build_judged_queries(settings_with_truth, n=25, seed=3)
    again = build_judged_queries(settings_with_truth, n=25, seed=3)
    other = build_judged_queries(settings_with_truth, n=25, seed=4)
    assert judged == again and [j.query for j in judged] != [j.query for j in other]
    assert len(judged) == 25
    assert any(j.customer_id is None for j in judged) and any(j.customer_id for j in judged)
    truth = load_truth(settings_with_truth)
    for query in judged[:5]:
        shopper = truth.shoppers.get(query.customer_id or "")
        grades = {pid: true_relevance(shopper, p, query.query) for pid, p in truth.products.items()}
        assert {pid: g for pid, g in grades.items() if g > 0} == query.judgments
    assert (settings_with_truth.simulation_dir / "judged_queries.json").exists()


def test_hidden_relevance_values_an_order_by_the_simulators_cascade(
    settings_with_truth: Settings,
) -> None:
    from models.ranker.data import SearchLists
    from models.ranker.judged import HiddenRelevance
    from simulation.browsing import expected_adds
    from simulation.relevance import utility
    from simulation.shop import expected_quantity

    truth = load_truth(settings_with_truth)
    query = build_judged_queries(settings_with_truth, n=1, seed=3)[0]
    relevant = sorted(query.judgments, key=lambda p: -query.judgments[p])[:3]
    others = [p for p in truth.products if p not in query.judgments][:3]
    ids = others + relevant  # logged with the relevant ones last
    n = len(ids)
    lists = SearchLists(
        features=np.zeros((1, n, 1)), labels=np.zeros((1, n)), positions=np.ones((1, n)),
        mask=np.ones((1, n), dtype=bool), searches=[("c-000001", query.query, ids)],
    )  # fmt: skip
    judge = HiddenRelevance(settings_with_truth, lists)
    logged = np.arange(n, 0, -1, dtype=float)[None, :]  # the logged order itself
    assert judge.cart_value(judge.ideal()) > judge.cart_value(logged)
    shopper = truth.shoppers["c-000001"]
    products = [truth.products[p] for p in ids]
    grades = [true_relevance(shopper, p, query.query) for p in products]
    chances = expected_adds(grades, [utility(shopper, p, query.query) for p in products])
    spend = [float(p.price) * expected_quantity(float(p.price)) for p in products]
    assert judge.cart_value(logged) == pytest.approx(float(np.dot(chances, spend)))
    # On a list of one, the expected value of a look is the whole cart value.
    one = HiddenRelevance(settings_with_truth, lists)
    one.mask = np.zeros_like(lists.mask)
    one.mask[0, -1] = True
    assert one.cart_value(logged) == pytest.approx(one.expected_value()[0, -1])
