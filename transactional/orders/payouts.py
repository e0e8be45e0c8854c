"""Payouts: what the store owes each seller for each order, net of refunds. Recorded when the
payment is captured (each seller's lines), reduced by every refund (shared out in proportion to
what each seller sold), each change with its PayoutRecorded event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    String,
    Table,
    select,
    update,
)

from contracts import events
from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import inserting
from transactional.common.money import from_cents, money_text, to_cents
from transactional.common.uow import Transaction
from transactional.orders.domain import Order

seller_payouts = Table(
    "seller_payouts",
    metadata,
    Column("order_id", String(40), primary_key=True),
    Column("seller_id", String(32), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("sold_cents", BigInteger, nullable=False),
    Column("refunded_cents", BigInteger, nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)
_P = seller_payouts.c
_NEW = inserting(seller_payouts)


@dataclass(frozen=True)
class Payout:
    order_id: str
    seller_id: str
    currency: str
    sold: Decimal
    refunded: Decimal
    updated_at: datetime

    @property
    def owed(self) -> Decimal:
        return self.sold - self.refunded


def share_refund(refunded_cents: int, sold: dict[str, int]) -> dict[str, int]:
    """Splits what was refunded so far across sellers in proportion to what each sold, in whole
    cents that add up exactly: the leftover cents go to the largest remainders, then seller id.
    A function of the running total, so a retried or split refund shares out the same."""
    whole = sum(sold.values())
    if whole <= 0:
        return dict.fromkeys(sold, 0)
    refunded_cents = min(refunded_cents, whole)
    shares = {s: refunded_cents * cents // whole for s, cents in sold.items()}
    left = refunded_cents - sum(shares.values())
    by_remainder = sorted(sold, key=lambda s: (-(refunded_cents * sold[s] % whole), s))
    for seller in by_remainder[:left]:
        shares[seller] += 1
    return shares


def record_sale(tx: Transaction, order: Order) -> None:
    """Each seller of the order is owed their lines, once the payment is captured."""
    rows = [
        {"order_id": order.order_id, "seller_id": seller, "currency": order.currency,
         "sold_cents": to_cents(amount), "refunded_cents": 0, "recorded_at": iso(tx.now),
         "updated_at": iso(tx.now)}
        for seller, amount in order.subtotals().items()
    ]  # fmt: skip
    _NEW.execute_many(tx.connection, rows)
    for row in rows:
        _announce(tx, row, "payment_captured")


def record_refund(tx: Transaction, order_id: str, refunded_total: Decimal) -> None:
    """Shares the payment's refunded total out again; only sellers whose share moved change."""
    rows = {
        row["seller_id"]: dict(row)
        for row in tx.connection.execute(
            select(seller_payouts).where(_P.order_id == order_id).with_for_update()
        ).mappings()
    }
    shares = share_refund(to_cents(refunded_total), {s: r["sold_cents"] for s, r in rows.items()})
    for seller, row in sorted(rows.items()):
        if shares[seller] == row["refunded_cents"]:
            continue
        row.update(refunded_cents=shares[seller], updated_at=iso(tx.now))
        tx.connection.execute(
            update(seller_payouts)
            .where(_P.order_id == order_id, _P.seller_id == seller)
            .values(refunded_cents=shares[seller], updated_at=iso(tx.now))
        )
        _announce(tx, row, "refund")


def payouts_of_seller(connection: Connection, seller_id: str, limit: int) -> list[Payout]:
    query = (
        select(seller_payouts)
        .where(_P.seller_id == seller_id)
        .order_by(_P.recorded_at.desc(), _P.order_id)
        .limit(limit)
    )
    return [_payout(row) for row in connection.execute(query)]


def payouts_of_order(connection: Connection, order_id: str) -> list[Payout]:
    query = select(seller_payouts).where(_P.order_id == order_id).order_by(_P.seller_id)
    return [_payout(row) for row in connection.execute(query)]


def _announce(tx: Transaction, row: dict[str, Any], reason: str) -> None:
    sold, refunded = from_cents(row["sold_cents"]), from_cents(row["refunded_cents"])
    tx.record(
        events.PAYOUT_RECORDED,
        row["order_id"],
        {"order_id": row["order_id"], "seller_id": row["seller_id"],
         "currency": row["currency"], "sold": money_text(sold), "refunded": money_text(refunded),
         "owed": money_text(sold - refunded), "reason": reason},
    )  # fmt: skip


def _payout(row: Any) -> Payout:
    return Payout(
        row.order_id, row.seller_id, row.currency, from_cents(row.sold_cents),
        from_cents(row.refunded_cents), datetime.fromisoformat(row.updated_at),
    )  # fmt: skip
