"""Payment intents: the checkout saga's persisted state, what the store asked the provider and
under which reference; recovery finds the open ones here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    String,
    Table,
    bindparam,
    select,
    update,
)

from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.common.driver_sql import DriverStatement, inserting
from transactional.common.money import from_cents, to_cents

payment_intents = Table(
    "payment_intents",
    metadata,
    Column("order_id", String(40), primary_key=True),
    # Sent to the provider as its idempotency key: one order, one payment there, ever.
    Column("reference", String(60), nullable=False, unique=True),
    Column("state", String(16), nullable=False, index=True),
    Column("amount_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("gateway_ref", String(80)),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)


class IntentState:
    STARTED = "started"  # order placed, stock reserved; the provider's answer not yet recorded
    AUTHORIZED = "authorized"
    CAPTURED = "captured"  # money taken and the order paid, in one transaction
    DECLINED = "declined"
    VOIDED = "voided"
    REFUNDED = "refunded"  # captured after the order was gone: given back

    OPEN = (STARTED, AUTHORIZED)


@dataclass(frozen=True)
class Intent:
    order_id: str
    reference: str
    state: str
    amount: Decimal
    currency: str
    gateway_ref: str | None
    created_at: datetime


# Built once, not per call: a statement built afresh costs its cache key on every execution,
# and the checkout runs these twice per order.
_OF_ORDER = select(payment_intents).where(payment_intents.c.order_id == bindparam("order_id"))
_OF_ORDER_LOCKED = DriverStatement(_OF_ORDER.with_for_update())
_NEW = inserting(payment_intents)
_ADVANCE = DriverStatement(
    update(payment_intents)
    .where(payment_intents.c.order_id == bindparam("b_order_id"))
    .values(state=bindparam("state"), updated_at=bindparam("updated_at"))
)
_ADVANCE_WITH_REF = DriverStatement(
    update(payment_intents)
    .where(payment_intents.c.order_id == bindparam("b_order_id"))
    .values(
        state=bindparam("state"),
        updated_at=bindparam("updated_at"),
        gateway_ref=bindparam("gateway_ref"),
    )
)
_OPEN_SINCE = (
    select(payment_intents.c.order_id)
    .where(
        payment_intents.c.state.in_(IntentState.OPEN),
        payment_intents.c.created_at <= bindparam("before"),
    )
    .order_by(payment_intents.c.created_at)
)


class IntentRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, order_id: str, amount: Decimal, currency: str, now: datetime) -> Intent:
        reference = f"pi_{order_id}"
        row = {
            "order_id": order_id,
            "reference": reference,
            "state": IntentState.STARTED,
            "amount_cents": to_cents(amount),
            "currency": currency,
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        _NEW.execute(self.connection, row)
        return Intent(order_id, reference, IntentState.STARTED, amount, currency, None, now)

    def get(self, order_id: str, lock: bool = False) -> Intent | None:
        if lock:
            row = _OF_ORDER_LOCKED.execute(self.connection, {"order_id": order_id}).first()
        else:
            row = self.connection.execute(_OF_ORDER, {"order_id": order_id}).first()
        if row is None:
            return None
        return Intent(
            row.order_id,
            row.reference,
            row.state,
            from_cents(row.amount_cents),
            row.currency,
            row.gateway_ref,
            datetime.fromisoformat(row.created_at),
        )

    def by_reference(self, reference: str) -> str | None:
        query = select(payment_intents.c.order_id).where(payment_intents.c.reference == reference)
        return self.connection.execute(query).scalar_one_or_none()

    def advance(
        self, order_id: str, wanted: str, now: datetime, gateway_ref: str | None = None
    ) -> None:
        values = {"b_order_id": order_id, "state": wanted, "updated_at": iso(now)}
        if gateway_ref:
            _ADVANCE_WITH_REF.execute(self.connection, {**values, "gateway_ref": gateway_ref})
        else:
            _ADVANCE.execute(self.connection, values)

    def open_before(self, before: datetime) -> list[str]:
        return list(self.connection.execute(_OPEN_SINCE, {"before": iso(before)}).scalars())
