"""Pure domain rules: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from transactional.cart.domain import Cart, CartErrorCode, QuantityTooLarge
from transactional.catalog.domain import CatalogErrorCode, InvalidProduct, Product, checked
from transactional.common.clock import SimulatedClock, iso
from transactional.common.money import from_cents, money_text, to_cents
from transactional.inventory.domain import InvalidQuantity, ensure_positive_quantity
from transactional.orders.domain import (
    IllegalTransition,
    Order,
    OrderErrorCode,
    OrderLine,
    OrderStatus,
)
from transactional.payments.domain import passes_luhn

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def an_order(status: OrderStatus = OrderStatus.PENDING_PAYMENT) -> Order:
    lines = [OrderLine("p-1", 2, Decimal("1.50")), OrderLine("p-2", 1, Decimal("3.00"))]
    return Order("o-1", "c-1", status, "USD", lines, NOW, NOW)


def test_order_total_sums_lines():
    assert an_order().total == Decimal("6.00")


def test_order_moves_along_allowed_transitions():
    order = an_order()
    assert order.move_to(OrderStatus.PAID, NOW) == OrderStatus.PENDING_PAYMENT
    order.move_to(OrderStatus.FULFILLED, NOW)
    order.move_to(OrderStatus.SHIPPED, NOW)
    assert order.status == OrderStatus.SHIPPED


@pytest.mark.parametrize(
    ("start", "wanted"),
    [
        (OrderStatus.CANCELLED, OrderStatus.PAID),
        (OrderStatus.PAID, OrderStatus.PENDING_PAYMENT),
        (OrderStatus.PENDING_PAYMENT, OrderStatus.SHIPPED),
        (OrderStatus.PAID, OrderStatus.PAID),
    ],
)
def test_order_refuses_illegal_transitions(start, wanted):
    order = an_order(start)
    with pytest.raises(IllegalTransition) as caught:
        order.move_to(wanted, NOW)
    assert caught.value.code == OrderErrorCode.ILLEGAL_TRANSITION
    assert order.status == start


@pytest.mark.parametrize(
    ("card", "valid"),
    [
        ("4242424242424242", True),
        ("4000000000000002", True),
        ("4242424242424241", False),
        ("1234", False),
        ("abcd", False),
    ],
)
def test_luhn(card, valid):
    assert passes_luhn(card) is valid


def test_cart_adding_again_raises_quantity_and_keeps_search():
    cart = Cart("cart-1", "c-1")
    cart.add("p-1", 2, Decimal("1.00"), "srch-1")
    line = cart.add("p-1", 3, Decimal("1.10"), None)
    assert (line.quantity, line.unit_price, line.search_id) == (5, Decimal("1.10"), "srch-1")


def test_cart_caps_one_line():
    cart = Cart("cart-1", "c-1")
    with pytest.raises(QuantityTooLarge) as caught:
        cart.add("p-1", 1001, Decimal("1"), None)
    assert caught.value.code == CartErrorCode.QUANTITY_TOO_LARGE


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True, "2"])
def test_quantities_are_positive_integers(quantity):
    with pytest.raises(InvalidQuantity):
        ensure_positive_quantity(quantity)


def product(**changes) -> Product:
    base = dict(
        product_id="p-1",
        seller_id="s-1",
        title="  Mug ",
        description="",
        brand="B",
        category="kitchen",
        price=Decimal("3.5"),
        currency="usd",
        rating=4.5,
        rating_count=3,
        image_url="",
        created_at=NOW,
        updated_at=NOW,
    )
    return Product(**{**base, **changes})


def test_checked_normalises_a_product():
    p = checked(product())
    assert (p.title, p.price, p.currency) == ("Mug", Decimal("3.50"), "USD")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"price": Decimal("-1")}, "price"),
        ({"price": "abc"}, "price"),
        ({"currency": "dollars"}, "currency"),
        ({"rating": 7.0}, "rating"),
        ({"rating_count": -2}, "rating_count"),
    ],
)
def test_checked_names_the_bad_field(changes, field):
    with pytest.raises(InvalidProduct) as caught:
        checked(product(**changes))
    assert (caught.value.code, caught.value.field) == (CatalogErrorCode.INVALID_PRODUCT, field)


def test_only_editable_fields_change():
    with pytest.raises(InvalidProduct) as caught:
        product().changed({"seller_id": "s-2"}, NOW)
    assert caught.value.field == "seller_id"


def test_snapshot_carries_money_as_decimal_string():
    snapshot = checked(product()).snapshot()
    assert snapshot["price"] == "3.50" and snapshot["created_at"] == iso(NOW)


def test_money_round_trips_through_cents():
    assert to_cents(Decimal("19.99")) == 1999
    assert from_cents(1999) == Decimal("19.99")
    assert money_text(Decimal("5")) == "5.00"


def test_simulated_clock_only_moves_when_told():
    clock = SimulatedClock(datetime(2024, 1, 1))  # naive means UTC
    assert clock.now() == NOW
    clock.advance(timedelta(days=1))
    assert clock.now() == NOW + timedelta(days=1)
    clock.set(NOW)
    assert iso(clock.now()) == "2024-01-01T00:00:00+00:00"
