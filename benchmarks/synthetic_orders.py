"""Checkout of the day's filled carts: orders placed, paid or declined (simulation.checkout's
rates), and the stock each order takes or gives back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks import lake_json as J
from benchmarks.lake_json import SECOND, events
from benchmarks.synthetic_catalog import Catalog
from contracts import events as E

CHECKOUT, DECLINE_RATE = 0.75, 0.08


@dataclass
class StockMoves:
    """What orders do to stock: a line taken (delta < 0), given back on cancel (delta > 0);
    `tie` orders moves of one instant as the log does (synthetic_lake adds the levels)."""

    at: np.ndarray
    tie: np.ndarray
    product: np.ndarray
    delta: np.ndarray
    reason: pa.Array


def check_out(
    rng: np.random.Generator,
    catalog: Catalog,
    customer: pa.Array,
    session_at: np.ndarray,
    cart: dict,
) -> tuple[list[pa.Table], StockMoves]:
    """Most sessions that filled a cart check out; about 8% of cards decline and the order is
    cancelled, its stock given back. An order's lines: one per product, sorted by product."""
    buying = np.unique(cart["session"])
    buying = buying[rng.random(len(buying)) < CHECKOUT]
    lines = np.isin(cart["session"], buying)
    key = cart["session"][lines] * catalog.size + cart["product"][lines]
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    quantity = np.bincount(inverse, cart["quantity"][lines]).astype(np.int64)
    product = keys % catalog.size
    line_session = keys // catalog.size
    origin = np.flatnonzero(lines)[first]
    sessions, line_order, per_order = np.unique(
        line_session, return_inverse=True, return_counts=True
    )
    last_add = np.zeros(len(session_at), np.int64)
    np.maximum.at(last_add, cart["session"], cart["at"])
    at = last_add[sessions] + 60 * SECOND
    cents = quantity * catalog.price_cents[product]
    total = np.bincount(line_order, cents, minlength=len(sessions)).astype(np.int64)
    order_id = J.hex_ids(rng, "o-", len(sessions))
    buyer = customer.take(pa.array(sessions))
    items = J.obj(
        product_id=J.text(J.numbered("p", product + 1)),
        quantity=J.number(quantity),
        unit_price=J.text(J.decimal(catalog.price_cents[product], 2)),
        search_id=J.text(cart["search_id"].take(pa.array(origin))),
        recommendation_id=J.text(cart["rec_id"].take(pa.array(origin))),
    )
    placed = J.obj(
        order_id=J.text(order_id),
        customer_id=J.text(buyer),
        status='"pending_payment"',
        currency='"USD"',
        total=J.text(J.decimal(total, 2)),
        placed_at=J.text(J.instants(at)),
        items=J.array_of(items, np.concatenate([[0], np.cumsum(per_order)])),
    )
    declined = rng.random(len(sessions)) < DECLINE_RATE
    tables = [events(at, 0, E.ORDER_PLACED, order_id, placed)]
    tables += _payments(rng, order_id, buyer, total, at, declined)
    back = declined[line_order]
    moves = StockMoves(
        at=np.concatenate([at[line_order], at[line_order][back] + SECOND]),
        tie=np.concatenate([np.full(len(product), 1), np.full(int(back.sum()), 5)]),
        product=np.concatenate([product, product[back]]),
        delta=np.concatenate([-quantity, quantity[back]]),
        reason=pa.array(["order"] * len(product) + ["cancel"] * int(back.sum())),
    )
    return tables, moves


def _payments(
    rng: np.random.Generator,
    order_id: pa.Array,
    customer: pa.Array,
    total: np.ndarray,
    at: np.ndarray,
    declined: np.ndarray,
) -> list[pa.Table]:
    """Authorized then captured (the order paid), or declined (the order cancelled)."""
    n = len(at)
    body = J.obj(
        payment_id=J.text(J.hex_ids(rng, "pay-", n)),
        order_id=J.text(order_id),
        amount=J.text(J.decimal(total, 2)),
        currency='"USD"',
        gateway_ref=J.text(J.hex_ids(rng, "sbx_", n)),
        decline_code=J.text(pc.if_else(pa.array(declined), "card_declined", None)),
    )
    paid, refused = np.flatnonzero(~declined), np.flatnonzero(declined)

    def status(rows: np.ndarray, to: str, reason: str) -> pa.Array:
        return J.obj(
            order_id=J.text(order_id.take(pa.array(rows))),
            customer_id=J.text(customer.take(pa.array(rows))),
            from_status='"pending_payment"',
            to_status=f'"{to}"',
            reason=f'"{reason}"',
        )

    def of(rows: np.ndarray, delay: int, tie: int, kind: str, payload: pa.Array) -> pa.Table:
        return events(at[rows] + delay * SECOND, tie, kind, order_id.take(pa.array(rows)), payload)

    return [
        of(paid, 1, 2, E.PAYMENT_AUTHORIZED, body.take(pa.array(paid))),
        of(paid, 2, 3, E.PAYMENT_CAPTURED, body.take(pa.array(paid))),
        of(paid, 2, 4, E.ORDER_STATUS_CHANGED, status(paid, "paid", "payment_captured")),
        of(refused, 1, 2, E.PAYMENT_DECLINED, body.take(pa.array(refused))),
        of(refused, 1, 4, E.ORDER_STATUS_CHANGED, status(refused, "cancelled", "payment_declined")),
    ]
