"""SQL record of payments: one row per order's payment, its latest status and refunded amount."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    String,
    Table,
    select,
    update,
)

from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import inserting
from transactional.common.money import to_cents
from transactional.payments.domain import PaymentStatus

payments = Table(
    "payments",
    metadata,
    Column("payment_id", String(40), primary_key=True),
    Column("order_id", String(40), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("gateway_ref", String(80), nullable=False),
    Column("decline_code", String(32)),
    Column("created_at", String(40), nullable=False),
    Column("refunded_cents", BigInteger, nullable=False, server_default="0"),
)


_NEW = inserting(payments)


class PaymentRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        payment_id: str,
        order_id: str,
        status: PaymentStatus,
        amount: Decimal,
        currency: str,
        gateway_ref: str,
        decline_code: str | None,
        now: datetime,
    ) -> None:
        _NEW.execute(
            self.connection,
            {
                "payment_id": payment_id,
                "order_id": order_id,
                "status": status.value,
                "amount_cents": to_cents(amount),
                "currency": currency,
                "gateway_ref": gateway_ref,
                "decline_code": decline_code,
                "created_at": iso(now),
            },
        )

    def of_order(self, order_id: str) -> dict | None:
        row = self.connection.execute(select(payments).where(payments.c.order_id == order_id))
        found = row.mappings().first()
        return dict(found) if found else None

    def set_status(self, payment_id: str, status: PaymentStatus, refunded_cents: int = 0) -> None:
        self.connection.execute(
            update(payments)
            .where(payments.c.payment_id == payment_id)
            .values(status=status.value, refunded_cents=payments.c.refunded_cents + refunded_cents)
        )

    def capture_of_order(self, order_id: str) -> dict | None:
        """Marks the order's payment captured; its id and decline code, read by the same UPDATE
        (RETURNING), or None when the order has no payment row."""
        moved = self.connection.execute(
            update(payments)
            .where(payments.c.order_id == order_id)
            .values(status=PaymentStatus.CAPTURED.value)
            .returning(payments.c.payment_id, payments.c.decline_code)
        )
        found = moved.mappings().first()
        return dict(found) if found else None

    def decline_codes(self, order_ids: list[str]) -> dict[str, str]:
        rows = self.connection.execute(
            select(payments.c.order_id, payments.c.decline_code).where(
                payments.c.order_id.in_(order_ids), payments.c.decline_code.is_not(None)
            )
        )
        return {row.order_id: row.decline_code for row in rows}
