"""The checkout saga: place (stock reserved, payment intent persisted), authorize, capture,
record. Each step is its own transaction or provider call, so a process killed between any two
leaves a state that `reconcile_payments` finishes from the provider's ledger."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Literal, overload

from sqlalchemy.exc import IntegrityError

from transactional.common.errors import DomainError
from transactional.common.uow import Transaction, UnitOfWork
from transactional.orders.domain import Order, OrderLine, OrderStatus
from transactional.orders.payment_steps import NextCall, settle_step
from transactional.orders.placement import RESERVATION_TTL, place_order, return_to_cart
from transactional.orders.views import (
    OrderView,
    order_by_key,
    order_view,
    order_views,
    with_declines,
)
from transactional.payments.domain import (
    Authorization,
    DeclineCode,
    GatewayRecord,
    GatewayRefused,
    GatewayTimeout,
    PaymentStatus,
)
from transactional.payments.gateway import PaymentGateway
from transactional.payments.intents import IntentRepository

# Called with a step's name after it is durable; tests kill the process there.
CrashHook = Callable[[str], None]
STEPS = ("placed", "authorized", "captured", "recorded")


def request_fingerprint(card_number: str) -> str:
    """What identifies a checkout request's body; a hash, so no card number is stored."""
    return hashlib.sha256(f"checkout:{card_number.replace(' ', '')}".encode()).hexdigest()


class CheckoutSaga:
    def __init__(
        self,
        uow: UnitOfWork,
        gateway: PaymentGateway,
        hold_for: timedelta = RESERVATION_TTL,
        crash_hook: CrashHook | None = None,
    ) -> None:
        self.uow = uow
        self.gateway = gateway
        self.hold_for = hold_for
        self.crash_hook = crash_hook or (lambda _step: None)

    def run(self, customer_id: str, card_number: str, idempotency_key: str | None) -> OrderView:
        """The order once paid or cancelled; with a key already used, that first order."""
        fingerprint = request_fingerprint(card_number)
        try:
            with self.uow.begin() as tx:
                order = place_order(tx, customer_id, idempotency_key, fingerprint, self.hold_for)
                intent = IntentRepository(tx.connection).add(
                    order.order_id, order.total, order.currency, tx.now
                )
        except (DomainError, IntegrityError):
            # Looked up only when placing fails, not before every checkout (one statement less):
            # a retry finds the cart its first try emptied (EmptyCart), or, refilled since, the
            # key taken (the unique key, also what a concurrent retry meets); either way the
            # placing transaction rolled back whole.
            if idempotency_key and (
                done := self._placed_before(customer_id, idempotency_key, fingerprint)
            ):
                return done
            raise
        self.crash_hook("placed")
        try:
            answer = self.gateway.authorize(
                intent.reference, intent.amount, intent.currency, card_number
            )
        except GatewayTimeout:
            settled = self._give_up(intent.reference, order.order_id)
        else:
            self.crash_hook("authorized")
            record = self._capture_at_once(_as_record(answer), order.order_id)
            settled = self.settle(order.order_id, record, view=True, lines=order.lines)
        if settled.decline_code is not None:
            # Here, not in `settle`: a webhook or the recovery job settling it later finds a
            # shopper who may have shopped on since, and is not there to try another card.
            with self.uow.begin() as tx:
                return_to_cart(tx, order)
        return settled

    @overload
    def settle(
        self,
        order_id: str,
        record: GatewayRecord | None,
        hint: DeclineCode | None = None,
        *,
        view: Literal[True],
        lines: list[OrderLine] | None = None,
    ) -> OrderView: ...

    @overload
    def settle(
        self,
        order_id: str,
        record: GatewayRecord | None,
        hint: DeclineCode | None = None,
        *,
        view: Literal[False] = False,
        lines: list[OrderLine] | None = None,
    ) -> None: ...

    def settle(
        self,
        order_id: str,
        record: GatewayRecord | None,
        hint: DeclineCode | None = None,
        *,
        view: bool = False,
        lines: list[OrderLine] | None = None,
    ) -> OrderView | None:
        """Drives one order's payment to its end from what the provider said; safe to run twice
        or concurrently (the intent row is locked and only open intents move). With `view`, the
        order as its last transaction left it, read inside that transaction. `lines`: the order's
        lines where the caller holds them (the checkout that placed it: not read again)."""
        # Each call moves the payment one step; a refused call re-reads it (one more pass).
        for _ in range(2 * len(NextCall) + 1):
            with self.uow.begin() as tx:
                next_call, order = settle_step(tx, order_id, record, hint, lines)
                done = next_call is None or record is None
                seen = _view(tx, order) if done and view else None
            self.crash_hook("recorded")
            if done:
                return seen
            assert record is not None and next_call is not None
            try:
                record = self._call(next_call, record, order_id)
            except GatewayRefused:
                # Another worker (a webhook, recovery, expiry) moved the payment at the provider
                # between this one's decision and its call: decide again from where it stands.
                record = self.gateway.lookup(record.reference) or record
        if not view:
            return None
        with self.uow.read() as connection:
            return order_views(connection, [order_id])[0]

    def _capture_at_once(self, record: GatewayRecord, order_id: str) -> GatewayRecord:
        """An approved authorization is captured before anything is recorded, so one transaction
        records both: a transaction fewer per order, which is most of what an order costs. Its
        order was placed a moment ago with its stock held for minutes, so it still awaits
        payment all but always; one cancelled in between is refunded by `settle` instead of
        voided. A provider that refuses (a webhook or the recovery job moved the payment first)
        is asked where the payment stands, as `settle` does."""
        if record.status is not PaymentStatus.AUTHORIZED:
            return record
        try:
            return self._call(NextCall.CAPTURE, record, order_id)
        except GatewayRefused:
            return self.gateway.lookup(record.reference) or record

    def _placed_before(self, customer_id: str, key: str, fingerprint: str) -> OrderView | None:
        with self.uow.read() as connection:
            return order_by_key(connection, customer_id, key, fingerprint)

    def _call(self, next_call: NextCall, record: GatewayRecord, order_id: str) -> GatewayRecord:
        """The provider call `settle_step` asked for; the record as it leaves the payment."""
        if next_call is NextCall.CAPTURE:
            self.gateway.capture(record.gateway_ref)
            self.crash_hook("captured")
            return replace(record, status=PaymentStatus.CAPTURED)
        if next_call is NextCall.VOID:
            self.gateway.void(record.gateway_ref)
            return replace(record, status=PaymentStatus.VOIDED)
        left = record.amount - record.refunded
        self.gateway.refund(record.gateway_ref, left, f"rf_{order_id}_orphan")
        return replace(record, status=PaymentStatus.REFUNDED, refunded=record.amount)

    def _give_up(self, reference: str, order_id: str) -> OrderView:
        """No answer in time: void whatever the provider may have authorized, then cancel."""
        record = self.gateway.lookup(reference)
        if record is not None and record.status is PaymentStatus.AUTHORIZED:
            self.gateway.void(record.gateway_ref)
            record = replace(record, status=PaymentStatus.VOIDED)
        return self.settle(order_id, record, DeclineCode.GATEWAY_TIMEOUT, view=True)


def _view(tx: Transaction, order: Order) -> OrderView:
    # Only a payment that was declined or voided carries a decline code: a paid order's
    # answer needs no read of its payment row.
    if order.status is OrderStatus.PAID:
        return order_view(order)
    return with_declines(tx.connection, [order])[0]


def _as_record(answer: Authorization) -> GatewayRecord:
    status = PaymentStatus.AUTHORIZED if answer.approved else PaymentStatus.DECLINED
    return GatewayRecord(
        answer.reference,
        answer.gateway_ref,
        status,
        answer.amount,
        answer.currency,
        decline_code=answer.decline_code,
    )
