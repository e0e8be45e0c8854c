"""The store's invariants, checked on a database (SQLite or PostgreSQL) and, where given, the
lake and the search index: what must hold after any crash, restore or rebuild.

    .venv/bin/python -m launch.invariants [--database-url URL] [--data-dir DIR]

Run it on a quiet store (no checkout in flight): a pending order's reservation or a consumer
that has not caught up yet is not a broken invariant, but would read as one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from contracts import events
from storeloop.settings import Settings

# Every status an order reaches only through a captured payment (see orders.domain.ALLOWED).
PAID_OR_LATER = ("paid", "fulfilled", "shipped", "delivered", "returned", "refunded")
SAMPLE = 5  # ids named in a failed check's detail


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


Checks = dict[str, Check]


def check_store(url: str) -> Checks:
    """Every invariant of the transactional database at `url`."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("outbox"):
                return {"store_tables_present": Check(False, "no outbox table: not a store")}
            outbox = _outbox(connection)
            return {
                "outbox_positions_unique": _positions_unique(connection),
                "orders_match_order_placed": _orders_match_placed(connection, outbox),
                "captures_have_one_paid_order": _captures_have_one_order(connection, outbox),
                "paid_orders_have_one_capture": _paid_orders_have_one_capture(connection, outbox),
                "stock_never_negative": _stock_never_negative(connection),
                "stock_matches_stock_events": _stock_matches_events(connection, outbox),
                "stock_is_its_offers_sum": _stock_is_its_offers_sum(connection),
                "reservations_consistent": _reservations_consistent(connection),
                "variants_in_families": _variants_in_families(connection),
            }
    finally:
        engine.dispose()


def _outbox(connection: sa.Connection) -> list[Any]:
    return list(
        connection.execute(
            sa.text(
                "SELECT position, event_id, type, aggregate_id, payload FROM outbox"
                " WHERE type IN (:placed, :captured, :stock) ORDER BY position"
            ),
            {
                "placed": events.ORDER_PLACED,
                "captured": events.PAYMENT_CAPTURED,
                "stock": events.STOCK_CHANGED,
            },
        )
    )


def _positions_unique(connection: sa.Connection) -> Check:
    rows, positions, ids = connection.execute(
        sa.text("SELECT COUNT(*), COUNT(DISTINCT position), COUNT(DISTINCT event_id) FROM outbox")
    ).one()
    ok = rows == positions == ids
    return Check(ok, f"{rows} events, {positions} distinct positions, {ids} distinct event ids")


def _orders_match_placed(connection: sa.Connection, outbox: list[Any]) -> Check:
    orders = set(connection.execute(sa.text("SELECT order_id FROM orders")).scalars())
    placed = Counter(row.aggregate_id for row in outbox if row.type == events.ORDER_PLACED)
    doubled = sorted(order for order, n in placed.items() if n > 1)
    missing, extra = sorted(orders - set(placed)), sorted(set(placed) - orders)
    ok = not (doubled or missing or extra)
    detail = f"{len(orders)} orders, {sum(placed.values())} OrderPlaced events"
    if not ok:
        detail += (
            f"; orders without event {missing[:SAMPLE]}, events without order {extra[:SAMPLE]},"
            f" placed twice {doubled[:SAMPLE]}"
        )
    return Check(ok, detail)


def _order_statuses(connection: sa.Connection) -> dict[str, str]:
    return {
        row[0]: row[1] for row in connection.execute(sa.text("SELECT order_id, status FROM orders"))
    }


def _captures(outbox: list[Any]) -> Counter[str]:
    return Counter(row.aggregate_id for row in outbox if row.type == events.PAYMENT_CAPTURED)


def _captured_payments(connection: sa.Connection) -> Counter[str]:
    """Payment rows whose money was taken (a full refund keeps the row, as refunded)."""
    rows = connection.execute(
        sa.text("SELECT order_id FROM payments WHERE status IN ('captured', 'refunded')")
    ).scalars()
    return Counter(rows)


def _captures_have_one_order(connection: sa.Connection, outbox: list[Any]) -> Check:
    statuses = _order_statuses(connection)
    captures = _captures(outbox)
    doubled = sorted(order for order, n in captures.items() if n > 1)
    orphans = sorted(order for order in captures if order not in statuses)
    unpaid = sorted(o for o in captures if o in statuses and statuses[o] not in PAID_OR_LATER)
    ok = not (doubled or orphans or unpaid)
    detail = f"{sum(captures.values())} PaymentCaptured events"
    if not ok:
        detail += (
            f"; captured twice {doubled[:SAMPLE]}, without an order {orphans[:SAMPLE]},"
            f" order not paid {unpaid[:SAMPLE]}"
        )
    return Check(ok, detail)


def _paid_orders_have_one_capture(connection: sa.Connection, outbox: list[Any]) -> Check:
    statuses = _order_statuses(connection)
    paid = sorted(order for order, status in statuses.items() if status in PAID_OR_LATER)
    captures, payments = _captures(outbox), _captured_payments(connection)
    no_event = [order for order in paid if captures[order] != 1]
    no_payment = [order for order in paid if payments[order] != 1]
    ok = not (no_event or no_payment)
    detail = f"{len(paid)} paid orders"
    if not ok:
        detail += (
            f"; not exactly one PaymentCaptured event {no_event[:SAMPLE]},"
            f" not exactly one captured payment row {no_payment[:SAMPLE]}"
        )
    return Check(ok, detail)


def _stock_never_negative(connection: sa.Connection) -> Check:
    negative = sorted(
        connection.execute(sa.text("SELECT product_id FROM stock WHERE quantity < 0")).scalars()
    )
    total = connection.execute(sa.text("SELECT COUNT(*) FROM stock")).scalar_one()
    detail = f"{total} stock rows, {len(negative)} below zero"
    return Check(not negative, detail + (f": {negative[:SAMPLE]}" if negative else ""))


def _stock_is_its_offers_sum(connection: sa.Connection) -> Check:
    """A product's sellable level is the units of its live offers, summed."""
    rows = connection.execute(
        sa.text(
            "SELECT s.product_id, s.quantity, COALESCE(SUM(o.quantity), 0) AS offered"
            " FROM stock s LEFT JOIN offers o ON o.product_id = s.product_id"
            " AND o.deleted_at IS NULL GROUP BY s.product_id, s.quantity"
        )
    ).all()
    differ = sorted((row.product_id, row.quantity, row.offered) for row in rows
                    if row.quantity != row.offered)  # fmt: skip
    detail = f"{len(rows)} stock rows"
    if differ:
        detail += f"; {len(differ)} differ from their offers (product, stock, offers): "
        detail += str(differ[:SAMPLE])
    return Check(not differ, detail)


# Products with variants: each query names the products that break the rule it is keyed by.
_FAMILY_RULES = {
    # A parent is never bought: no stock of its own, no offer, in no order line, hold or cart.
    "parent_with_stock": "SELECT p.product_id FROM products p JOIN stock s"
    " ON s.product_id = p.product_id WHERE p.option_names IS NOT NULL AND s.quantity <> 0",
    "parent_with_offer": "SELECT DISTINCT p.product_id FROM products p JOIN offers o"
    " ON o.product_id = p.product_id WHERE p.option_names IS NOT NULL",
    "parent_ordered": "SELECT DISTINCT p.product_id FROM products p JOIN order_items i"
    " ON i.product_id = p.product_id WHERE p.option_names IS NOT NULL",
    "parent_reserved": "SELECT DISTINCT p.product_id FROM products p JOIN stock_reservations r"
    " ON r.product_id = p.product_id WHERE p.option_names IS NOT NULL",
    "parent_in_cart": "SELECT DISTINCT p.product_id FROM products p JOIN cart_items c"
    " ON c.product_id = p.product_id WHERE p.option_names IS NOT NULL",
    "parent_with_parent": "SELECT product_id FROM products"
    " WHERE option_names IS NOT NULL AND parent_id IS NOT NULL",
    # Every variant has its values and hangs under a parent that exists and is one.
    "variant_without_options": "SELECT product_id FROM products"
    " WHERE parent_id IS NOT NULL AND options IS NULL",
    "variant_of_no_parent": "SELECT v.product_id FROM products v LEFT JOIN products p"
    " ON p.product_id = v.parent_id WHERE v.parent_id IS NOT NULL AND p.option_names IS NULL",
    # Deleting a parent deletes its family.
    "live_variant_of_deleted_parent": "SELECT v.product_id FROM products v JOIN products p"
    " ON p.product_id = v.parent_id WHERE v.deleted_at IS NULL AND p.deleted_at IS NOT NULL",
}


def _variants_in_families(connection: sa.Connection) -> Check:
    """Parents are never bought; every variant's parent exists and is a parent."""
    columns = {c["name"] for c in sa.inspect(connection).get_columns("products")}
    if "option_names" not in columns:
        return Check(True, "a store from before variants (migration 0010)")
    broken = {
        rule: sorted(row[0] for row in connection.execute(sa.text(query)))
        for rule, query in _FAMILY_RULES.items()
    }
    broken = {rule: ids[:SAMPLE] for rule, ids in broken.items() if ids}
    counted = connection.execute(
        sa.text(
            "SELECT SUM(CASE WHEN option_names IS NOT NULL THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN parent_id IS NOT NULL THEN 1 ELSE 0 END) FROM products"
        )
    ).one()
    detail = f"{counted[0] or 0} parents, {counted[1] or 0} variants"
    return Check(not broken, detail + (f"; broken: {broken}" if broken else ""))


def _stock_matches_events(connection: sa.Connection, outbox: list[Any]) -> Check:
    """Stock events carry the absolute level: the last one of each product is its stock row."""
    last: dict[str, int] = {}
    for row in outbox:
        if row.type == events.STOCK_CHANGED:
            payload = json.loads(row.payload)
            last[str(payload.get("product_id") or row.aggregate_id)] = int(payload["quantity"])
    levels = _stock_levels(connection)
    # A product listed with no units (a parent of variants always) has no event: level 0.
    differ = sorted(p for p in set(last) | set(levels) if last.get(p, 0) != levels.get(p))
    detail = f"{len(levels)} stock rows, {len(last)} products with stock events"
    if differ:
        sample = {p: {"table": levels.get(p), "events": last.get(p)} for p in differ[:SAMPLE]}
        detail += f"; {len(differ)} differ: {sample}"
    return Check(not differ, detail)


def _stock_levels(connection: sa.Connection) -> dict[str, int]:
    return {
        row[0]: row[1]
        for row in connection.execute(sa.text("SELECT product_id, quantity FROM stock"))
    }


def _reservations_consistent(connection: sa.Connection) -> Check:
    """Held units wait for a payment, committed units were paid for, every unit is a real SKU."""
    rows = connection.execute(
        sa.text(
            "SELECT r.order_id, r.product_id, r.quantity, r.status, o.status AS order_status,"
            " s.product_id AS stocked FROM stock_reservations r"
            " LEFT JOIN orders o ON o.order_id = r.order_id"
            " LEFT JOIN stock s ON s.product_id = r.product_id"
        )
    ).all()
    wrong: list[str] = []
    for row in rows:
        if row.quantity <= 0 or row.stocked is None or row.order_status is None:
            wrong.append(f"{row.order_id}/{row.product_id}: no such order or SKU, or no units")
        elif row.status == "held" and row.order_status != "pending_payment":
            wrong.append(f"{row.order_id}: held for a {row.order_status} order")
        elif row.status == "committed" and row.order_status not in PAID_OR_LATER:
            wrong.append(f"{row.order_id}: committed for a {row.order_status} order")
    statuses = Counter(row.status for row in rows)
    detail = f"{len(rows)} reservations {dict(sorted(statuses.items()))}"
    return Check(not wrong, detail + (f"; {len(wrong)} wrong: {wrong[:SAMPLE]}" if wrong else ""))


def check_search_index(url: str, index_dir: Path) -> Checks:
    """The index holds exactly the catalog's live products but parents (never bought, so never
    a search result), each with its stock level and its family (a variant's parent)."""
    from serving.search.index.tantivy_index import TantivyIndex

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("products")}
            query = "SELECT product_id, product_id FROM products WHERE deleted_at IS NULL"
            if "option_names" in columns:  # a store from migration 0010 on
                query = (
                    "SELECT product_id, COALESCE(parent_id, product_id) FROM products"
                    " WHERE deleted_at IS NULL AND option_names IS NULL"
                )
            family_of = {row[0]: row[1] for row in connection.execute(sa.text(query))}
            live = set(family_of)
            levels = _stock_levels(connection)
    finally:
        engine.dispose()
    index = TantivyIndex(index_dir)
    try:
        docs = index_documents(index)
    finally:
        index.close()
    missing, extra = sorted(live - set(docs)), sorted(set(docs) - live)
    stock = sorted(p for p in live & set(docs) if docs[p]["stock"] != max(0, levels.get(p, 0)))
    stock += sorted(p for p in live & set(docs) if docs[p]["family_id"] != family_of[p])
    ok = not (missing or extra or stock)
    detail = f"{len(live)} live products, {len(docs)} documents"
    if not ok:
        detail += (
            f"; not indexed {missing[:SAMPLE]}, indexed but not live {extra[:SAMPLE]},"
            f" stock or family differs {stock[:SAMPLE]}"
        )
    return {"search_index_is_live_catalog": Check(ok, detail)}


def index_documents(index: Any) -> dict[str, dict[str, Any]]:
    """Every document of a tantivy index, by product id."""
    import tantivy

    from serving.search.index.tantivy_index import _as_dict

    searcher = index.searcher()
    total = int(searcher.num_docs)
    if total == 0:
        return {}
    found = searcher.search(tantivy.Query.all_query(), limit=total, count=False).hits
    docs = (_as_dict(searcher.doc(address)) for _, address in found)
    return {doc["product_id"]: doc for doc in docs}


def failed(checks: Checks) -> list[str]:
    return [name for name, check in checks.items() if not check.ok]


def as_json(checks: Checks) -> dict[str, dict[str, Any]]:
    return {name: asdict(check) for name, check in checks.items()}


def print_checks(checks: Checks, out: Any = sys.stdout) -> None:
    for name, check in checks.items():
        print(f"  {'ok  ' if check.ok else 'FAIL'} {name}: {check.detail}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: the store of the data dir's settings")
    parser.add_argument("--data-dir", type=Path, help="default: STORE_DATA_DIR (./var)")
    parser.add_argument("--no-lake", action="store_true", help="skip outbox = bronze = silver")
    parser.add_argument("--no-search", action="store_true", help="skip the search index")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    url = args.database_url or settings.db_url
    checks = check_store(url)
    if not args.no_lake and (settings.lake_dir / "bronze" / "events").exists():
        from launch.lake_invariants import check_lake

        checks |= check_lake(url, settings.lake_dir)
    if not args.no_search and (settings.search_index_dir / "CURRENT").exists():
        checks |= check_search_index(url, settings.search_index_dir)
    print(f"invariants of {sa.make_url(url).render_as_string(hide_password=True)}")
    print_checks(checks)
    bad = failed(checks)
    print(f"{len(checks) - len(bad)} of {len(checks)} hold" + (f"; broken: {bad}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
