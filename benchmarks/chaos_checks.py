"""What must hold after the chaos, read from the store's database, the payment provider's own
ledger, the lake and the search index once every consumer has caught up. Each check is a name,
a pass and the evidence, so a failure says what was lost or doubled."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from benchmarks.outbox_integrity import bronze_ids, outbox_facts, submit_silver
from contracts import events
from storeloop.settings import Settings

PAID = ("paid", "fulfilled", "shipped", "delivered")


def check(name: str, ok: bool, **evidence: Any) -> dict[str, Any]:
    return {"check": name, "ok": bool(ok), **evidence}


def lake_checks(url: str, settings: Settings, spark_master: str) -> list[dict[str, Any]]:
    facts = outbox_facts(url)
    ids, types = bronze_ids(settings)
    outbox_ids = set(facts["ids"])
    lost, doubled = outbox_ids - set(ids), len(ids) - len(set(ids))
    silver = submit_silver(settings.data_dir, spark_master)
    silver = {table: silver[table] for table in facts["expected_silver"]}
    return [
        check(
            "outbox = bronze: no event lost or doubled",
            not lost and not doubled and types == facts["types"],
            outbox=len(outbox_ids),
            bronze=len(ids),
            lost=len(lost),
            doubled=doubled,
        ),  # fmt: skip
        check(
            "silver holds what the events say",
            silver == facts["expected_silver"],
            silver=silver,
            from_events=facts["expected_silver"],
        ),  # fmt: skip
    ]


def money_checks(url: str, settings: Settings) -> list[dict[str, Any]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        captures = Counter(
            row[0]
            for row in connection.execute(
                text("SELECT order_id FROM payments WHERE status = 'captured'")
            )
        )
        refs = {
            row[0]: row[1]
            for row in connection.execute(
                text("SELECT gateway_ref, order_id FROM payments WHERE status = 'captured'")
            )
        }
        paid = _paid_orders(connection)
        orders = connection.execute(text("SELECT COUNT(*) FROM orders")).scalar_one()
        placed = connection.execute(
            text("SELECT COUNT(*) FROM outbox WHERE type = :t"), {"t": events.ORDER_PLACED}
        ).scalar_one()
        stock = _stock(connection)
        stock_events = _last_stock_events(connection)
    engine.dispose()
    provider = _provider_captures(settings.data_dir / "sandbox_payments.db")
    doubled = {order: n for order, n in captures.items() if n > 1}
    unpaid_captures = set(captures) - paid
    paid_without = paid - set(captures)
    unknown_at_store = set(provider) - set(refs)
    drifted = {p: (q, stock_events.get(p)) for p, q in stock.items() if stock_events.get(p) != q}
    return [
        check(
            "every capture has one paid order, every paid order one capture",
            not doubled and not unpaid_captures and not paid_without,
            captures=sum(captures.values()),
            paid_orders=len(paid),
            doubled=len(doubled),
            captured_not_paid=len(unpaid_captures),
            paid_not_captured=len(paid_without),
        ),  # fmt: skip
        check(
            "the provider's captures are the store's captures",
            not unknown_at_store and len(provider) == len(refs),
            provider_captures=len(provider),
            store_captures=len(refs),
            unknown_at_store=sorted(unknown_at_store)[:5],
        ),  # fmt: skip
        check("orders = OrderPlaced events", orders == placed, orders=orders, events=placed),
        check(
            "stock never negative, and each level is its last StockChanged event",
            all(q >= 0 for q in stock.values()) and not drifted,
            products=len(stock),
            negative=sum(q < 0 for q in stock.values()),
            drifted=dict(list(drifted.items())[:5]),
        ),  # fmt: skip
    ]


def _stock(connection: Any) -> dict[str, int]:
    rows = connection.execute(text("SELECT product_id, quantity FROM stock"))
    return {product_id: int(quantity) for product_id, quantity in rows}


def _paid_orders(connection: Any) -> set[str]:
    rows = connection.execute(text("SELECT order_id, status FROM orders"))
    return {order_id for order_id, status in rows if status in PAID}


def _last_stock_events(connection: Any) -> dict[str, int]:
    levels: dict[str, int] = {}
    rows = connection.execute(
        text("SELECT payload FROM outbox WHERE type = :t ORDER BY position"),
        {"t": events.STOCK_CHANGED},
    )
    for (payload,) in rows:
        body = json.loads(payload)
        levels[body["product_id"]] = int(body["quantity"])
    return levels


def _provider_captures(ledger: Path) -> set[str]:
    with sqlite3.connect(ledger) as db:
        return {row[0] for row in db.execute(
            "SELECT gateway_ref FROM sandbox_payments WHERE status = 'captured'"
        )}  # fmt: skip


def index_checks(url: str, settings: Settings) -> list[dict[str, Any]]:
    from serving.search.index import open_index

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT product_id, title FROM products WHERE deleted_at IS NULL")
        )
        catalog: dict[str, str] = {product_id: title for product_id, title in rows}
        stock = _stock(connection)
    engine.dispose()
    index = open_index(settings)
    try:
        docs = index.get(list(catalog))
        count = index.count()
    finally:
        index.close()
    missing = set(catalog) - set(docs)
    wrong = {
        p: (doc.get("title"), doc.get("stock"))
        for p, doc in docs.items()
        if doc.get("title") != catalog[p] or int(doc.get("stock") or 0) != max(0, stock.get(p, 0))
    }
    return [
        check(
            "the search index equals the catalog (titles and stock)",
            not missing and not wrong and count == len(catalog),
            catalog=len(catalog),
            indexed=count,
            missing=len(missing),
            different=dict(list(wrong.items())[:5]),
        )  # fmt: skip
    ]
