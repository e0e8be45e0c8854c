"""Shoppers' browsing: position bias, relevance-driven clicks, queries with typos and budgets."""

from __future__ import annotations

import numpy as np

from simulation.browsing import browse
from simulation.queries import add_typo, as_typed, choose_intent, clean_query, write_query
from simulation.serving_client import read_search_response
from simulation.shoppers import generate_shoppers


def test_click_rate_declines_with_position_over_many_sessions() -> None:
    rng = np.random.default_rng(0)
    clicks = np.zeros(10)
    for _ in range(20000):
        grades = rng.permutation([3, 2, 2, 1, 1, 1, 0, 0, 0, 0])  # relevance unrelated to rank
        for look in browse(rng, list(grades), [0.0] * 10):
            clicks[look.index] += look.clicked
    rates = clicks / 20000
    assert rates[0] > rates[2] > rates[5] > rates[9]
    assert rates[0] > 2.5 * rates[9]


def test_relevant_results_get_clicked_more_than_irrelevant_ones() -> None:
    rng = np.random.default_rng(1)
    by_grade = {0: [0, 0], 3: [0, 0]}  # grade -> [clicks, looks]
    for _ in range(5000):
        grades = [int(g) for g in rng.choice([0, 3], size=5)]
        for look in browse(rng, grades, [0.0] * 5):
            by_grade[grades[look.index]][0] += look.clicked
            by_grade[grades[look.index]][1] += 1
    assert by_grade[3][0] / by_grade[3][1] > 10 * by_grade[0][0] / by_grade[0][1]


def test_queries_follow_tastes_and_some_have_typos_or_budgets() -> None:
    rng = np.random.default_rng(2)
    shopper = generate_shoppers(1, 3)[0]
    queries = [write_query(choose_intent(shopper, rng), rng) for _ in range(2000)]
    assert len(set(queries)) > 100
    assert 0.03 < sum(" under " in q for q in queries) / len(queries) < 0.2
    favourite = int(np.argmax(shopper.category_prefs))
    assert shopper.category_prefs[favourite] > 0.2  # Dirichlet(0.3): tastes are concentrated


def test_the_clean_query_is_the_typed_one_before_its_typo() -> None:
    """Drawn in the same order as `write_query`: the same seed types the same queries."""
    shopper = generate_shoppers(1, 3)[0]
    written, typed, slipped = np.random.default_rng(5), np.random.default_rng(5), 0
    for _ in range(500):
        expected = write_query(choose_intent(shopper, written), written)
        meant = clean_query(choose_intent(shopper, typed), typed)
        as_shopper_typed = as_typed(meant, typed)
        assert as_shopper_typed == expected
        slipped += as_shopper_typed != meant
    assert 10 < slipped < 80  # about 8% have a typo; the rest are typed as meant


def test_typo_changes_exactly_one_long_word() -> None:
    rng = np.random.default_rng(4)
    typed = [add_typo("acme running shoes under 50", rng) for _ in range(50)]
    assert all(t.endswith("under 50") and t.startswith("acme ") for t in typed)
    assert sum(t != "acme running shoes under 50" for t in typed) >= 40


def test_search_responses_as_dict_object_or_list() -> None:
    class Response:
        ranker = "v3"
        results = [
            {"product_id": "p-000002", "position": 2, "score": 1},
            {"product_id": "p-000001", "position": 1, "score": 2.5},
        ]

    rows, ranker = read_search_response(Response())
    assert ranker == "v3" and [r["product_id"] for r in rows] == ["p-000001", "p-000002"]
    assert read_search_response({"results": [], "ranker": None}) == ([], "index")
    assert read_search_response(Response.results)[1] == "index"
