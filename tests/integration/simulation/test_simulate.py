"""A tiny simulation against the real store (SQLite) with the keyword stand-in search."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import create_engine, text

from contracts import events
from simulation.judged_queries import build_judged_queries, load_judged_queries
from simulation.relevance import true_relevance
from simulation.run import SimulationReport, simulate
from simulation.truth import load_truth
from storeloop.settings import Settings


def _outbox(settings: Settings) -> list[tuple[str, dict[str, Any], str]]:
    engine = create_engine(settings.db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type, payload, occurred_at FROM outbox ORDER BY position")
        ).all()
    engine.dispose()
    return [(kind, json.loads(payload), at) for kind, payload, at in rows]


def _run(settings: Settings, open_store: Any) -> tuple[SimulationReport, list[Any]]:
    store, search = open_store(settings)
    days: list[tuple[int, date]] = []
    report = simulate(settings, store, search, lambda i, d: days.append((i, d)), progress=False)
    return report, days


def test_tiny_simulation_drives_the_store_and_the_log_agrees(
    tiny_settings: Settings, open_store: Any
) -> None:
    report, days = _run(tiny_settings, open_store)
    assert days == [(0, date(2026, 11, 1)), (1, date(2026, 11, 2))]
    assert (report.products, report.shoppers) == (200, 20)
    assert report.searches > 0 and report.clicks > 0
    log = _outbox(tiny_settings)
    kinds = Counter(kind for kind, _, _ in log)
    # every SKU, and the parent of each family of variants (listed with its variants)
    catalog = load_truth(tiny_settings).products
    parents = {spec.family_id for spec in catalog.values() if spec.family_id}
    assert parents and kinds[events.PRODUCT_CREATED] == 200 + len(parents)
    created = {p["product_id"]: p for kind, p, _ in log if kind == events.PRODUCT_CREATED}
    for spec in catalog.values():
        listed = created[spec.product_id]
        assert listed.get("parent_id") == (spec.family_id or None)
        assert (listed.get("options") or {}) == dict(spec.options)
    assert all(created[parent].get("option_names") for parent in parents)
    assert kinds[events.SEARCH_PERFORMED] == report.searches
    assert kinds[events.SEARCH_RESULT_CLICKED] == report.clicks
    assert kinds[events.CART_ITEM_ADDED] == report.cart_adds
    assert kinds[events.ORDER_PLACED] == report.orders_placed
    assert kinds[events.PAYMENT_DECLINED] == report.orders_declined
    assert report.orders_paid + report.orders_declined == report.orders_placed
    searched = [p for kind, p, _ in log if kind == events.SEARCH_PERFORMED]
    assert {p["ranker"] for p in searched} == {"keyword-test"}
    # A search page per search, a product page per click (search or recommendation).
    pages = Counter(p["page"] for kind, p, _ in log if kind == events.PAGE_VIEWED)
    assert pages["search"] == report.searches and pages["product"] >= report.clicks
    viewed = {p["session_id"] for kind, p, _ in log if kind == events.PAGE_VIEWED}
    assert viewed >= {p["session_id"] for p in searched}
    assert all(at[:10] in ("2026-11-01", "2026-11-02") for _, _, at in log)
    assert report.as_dict()["last_day"] == "2026-11-02"


def test_same_settings_same_simulation(
    tiny_settings: Settings, open_store: Any, tmp_path_factory: Any
) -> None:
    first, _ = _run(tiny_settings, open_store)
    twin = tiny_settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("twin")})
    second, _ = _run(twin, open_store)
    assert first == second

    def queries(settings: Settings) -> list[str]:
        return [p["query"] for k, p, _ in _outbox(settings) if k == events.SEARCH_PERFORMED]

    assert queries(tiny_settings) == queries(twin)


def test_truth_and_judged_queries_are_saved_for_evaluation(
    tiny_settings: Settings, open_store: Any
) -> None:
    _run(tiny_settings, open_store)
    truth = load_truth(tiny_settings)
    assert len(truth.products) == 200 and len(truth.shoppers) == 20
    assert all(cid.startswith("c-") for cid in truth.shoppers)
    judged = build_judged_queries(tiny_settings, n=15, seed=1)
    assert len(judged) == 15 and all(j.judgments for j in judged)
    assert load_judged_queries(tiny_settings) == judged
    sample = judged[0]
    shopper = truth.shoppers.get(sample.customer_id or "")
    for product_id, grade in sample.judgments.items():
        assert true_relevance(shopper, truth.products[product_id], sample.query) == grade
