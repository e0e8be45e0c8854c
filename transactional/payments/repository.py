"""SQL record of payments, one row per payment attempt (its latest status)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, Connection, String, Table, bindparam, insert, select

from transactional.common.clock import iso
from transactional.common.db import metadata
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
)


_INSERT = insert(payments)
_DECLINES = select(payments.c.order_id, payments.c.decline_code).where(
    payments.c.order_id.in_(bindparam("ids", expanding=True)), payments.c.decline_code.is_not(None)
)


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
        self.connection.execute(
            _INSERT,
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

    def decline_codes(self, order_ids: list[str]) -> dict[str, str]:
        rows = self.connection.execute(_DECLINES, {"ids": order_ids})
        return {row.order_id: row.decline_code for row in rows}
