"""The sandbox provider behaves like a real one (idempotent references, one capture, voids,
partial refunds, timeouts, a ledger that outlives the process) and the store refunds through it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts import events
from transactional.payments.domain import (
    GatewayRefused,
    GatewayTimeout,
    NotCaptured,
    PaymentErrorCode,
    PaymentStatus,
    RefundTooLarge,
)
from transactional.payments.sandbox import (
    APPROVE_CARD,
    DECLINE_CARD,
    TIMEOUT_CARD,
    SandboxPaymentGateway,
)

TEN = Decimal("10.00")


@pytest.fixture
def sandbox(tmp_path):
    gateway = SandboxPaymentGateway(tmp_path / "provider.db", seed=1)
    yield gateway
    gateway.close()


def test_same_reference_is_one_payment_and_one_capture(sandbox):
    first = sandbox.authorize("pi_1", TEN, "USD", APPROVE_CARD)
    again = sandbox.authorize("pi_1", TEN, "USD", APPROVE_CARD)
    assert first == again and first.approved
    assert sandbox.capture(first.gateway_ref) == sandbox.capture(first.gateway_ref)
    assert len(sandbox.captures) == 1 and len(sandbox.authorizations) == 1
    with pytest.raises(GatewayRefused):
        sandbox.void(first.gateway_ref)  # captured money is refunded, not voided


def test_declines_are_answers_and_cannot_be_captured(sandbox):
    declined = sandbox.authorize("pi_2", TEN, "USD", DECLINE_CARD)
    assert not declined.approved and declined.decline_code == "card_declined"
    with pytest.raises(GatewayRefused):
        sandbox.capture(declined.gateway_ref)


def test_partial_then_full_refund_and_no_more(sandbox):
    ref = sandbox.authorize("pi_3", TEN, "USD", APPROVE_CARD).gateway_ref
    sandbox.capture(ref)
    assert sandbox.refund(ref, Decimal("4.00"), "r1").refunded_total == Decimal("4.00")
    assert sandbox.refund(ref, Decimal("4.00"), "r1").refunded_total == Decimal("4.00")  # retry
    assert sandbox.refund(ref, Decimal("6.00"), "r2").refunded_total == TEN
    assert sandbox.lookup("pi_3").status is PaymentStatus.REFUNDED
    with pytest.raises(GatewayRefused):
        sandbox.refund(ref, Decimal("0.01"), "r3")


def test_timeout_card_is_held_but_unanswered_and_the_ledger_survives(sandbox, tmp_path):
    with pytest.raises(GatewayTimeout):
        sandbox.authorize("pi_4", TEN, "USD", TIMEOUT_CARD)
    sandbox.close()
    reopened = SandboxPaymentGateway(tmp_path / "provider.db")
    try:
        record = reopened.lookup("pi_4")
        assert record is not None and record.status is PaymentStatus.AUTHORIZED
        assert reopened.lookup("pi_unknown") is None
    finally:
        reopened.close()


def test_checkout_that_times_out_is_voided_and_cancelled(store, customer, make_product):
    product_id = make_product(stock=2)
    store.cart.add_item(customer, product_id, 1)
    order = store.orders.checkout(customer, TIMEOUT_CARD)
    assert (order.status, order.decline_code) == ("cancelled", "gateway_timeout")
    (record,) = store.payment_gateway.authorizations
    assert record.status is PaymentStatus.VOIDED
    assert store.inventory.stock_level(product_id) == 2


def test_refunds_partial_then_full_move_the_order_once(
    store, customer, make_product, outbox_rows, count
):
    store.cart.add_item(customer, make_product(stock=2, price="30.00"), 1)
    order = store.orders.checkout(customer, APPROVE_CARD)
    with pytest.raises(RefundTooLarge) as too_large:
        store.orders.refund(order.order_id, Decimal("30.01"))
    assert too_large.value.code == PaymentErrorCode.REFUND_TOO_LARGE
    assert store.orders.refund(order.order_id, Decimal("10.00"), "part-1").status == "paid"
    assert store.orders.refund(order.order_id, Decimal("10.00"), "part-1").status == "paid"
    before = count(store, "outbox")
    assert store.orders.refund(order.order_id).status == "refunded"
    kinds = [r["type"] for r in outbox_rows(store)[before:]]
    # The seller's payout falls to nothing with the refund, in the same transaction.
    assert kinds == [events.PAYMENT_REFUNDED, events.PAYOUT_RECORDED, events.ORDER_STATUS_CHANGED]
    refunded = [r["payload"] for r in outbox_rows(store) if r["type"] == events.PAYMENT_REFUNDED]
    assert [p["amount"] for p in refunded] == ["10.00", "20.00"]
    assert refunded[-1]["refunded_total"] == "30.00"
    assert store.payment_gateway.lookup(f"pi_{order.order_id}").refunded == Decimal("30.00")
    with pytest.raises(RefundTooLarge):
        store.orders.refund(order.order_id)


def test_an_unpaid_order_has_nothing_to_refund(store, customer, make_product):
    store.cart.add_item(customer, make_product(stock=2), 1)
    order = store.orders.checkout(customer, DECLINE_CARD)
    with pytest.raises(NotCaptured):
        store.orders.refund(order.order_id)
