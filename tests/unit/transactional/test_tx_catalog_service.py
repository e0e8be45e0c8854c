"""Catalog and inventory handlers over a real (in-memory) SQLite store."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from contracts import events
from transactional.catalog.domain import (
    CatalogErrorCode,
    NotProductOwner,
    ProductAlreadyExists,
    ProductHasOpenOrders,
    ProductNotFound,
)
from transactional.inventory.domain import InvalidQuantity
from transactional.payments.sandbox import APPROVE_CARD, DECLINE_CARD
from transactional.users.domain import NotASeller

SNAPSHOT_KEYS = {
    "product_id",
    "seller_id",
    "title",
    "description",
    "brand",
    "category",
    "price",
    "currency",
    "rating",
    "rating_count",
    "image_url",
    "created_at",
    "updated_at",
}


def test_create_product_numbers_ids_and_writes_snapshot_and_stock(store, make_product, outbox_rows):
    first, second = make_product(stock=4), make_product(stock=0)
    assert (first, second) == ("p-000001", "p-000002")
    rows = outbox_rows(store)
    created = [r for r in rows if r["type"] == events.PRODUCT_CREATED]
    assert set(created[0]["payload"]) == SNAPSHOT_KEYS
    assert created[0]["payload"]["price"] == "19.99"
    assert created[0]["occurred_at"] == "2024-03-01T09:00:00+00:00"
    # Only the product that starts with stock gets a StockChanged row.
    stock_rows = [r["payload"] for r in rows if r["type"] == events.STOCK_CHANGED]
    assert stock_rows == [{"product_id": first, "quantity": 4, "delta": 4, "reason": "restock",
                           "offer_id": f"of-{first}", "offer_stock": 4}]  # fmt: skip
    view = store.catalog.get_product(first)
    assert (view.stock, view.price, view.currency) == (4, Decimal("19.99"), "USD")


def test_explicit_ids_are_kept_and_numbering_skips_them(store, make_product):
    assert make_product(product_id="p-000001") == "p-000001"
    assert make_product() == "p-000002"
    with pytest.raises(ProductAlreadyExists):
        make_product(product_id="p-000002")
    assert make_product(product_id="p-000010") == "p-000010"
    assert make_product(product_id="p-custom") == "p-custom"
    assert make_product() == "p-000011"


def test_customers_cannot_list_products(store, customer, count):
    with pytest.raises(NotASeller):
        store.catalog.create_product(customer, "x", "", "", "", Decimal("1"))
    assert count(store, "products") == 0 and count(store, "outbox") == 1  # the registration


def test_update_keeps_owner_rules_and_emits_full_snapshot(
    store, make_product, clock, customer, outbox_rows
):
    product_id = make_product()
    created = clock.now()
    clock.advance(timedelta(hours=1))
    with pytest.raises(NotProductOwner) as caught:
        store.catalog.update_product(product_id, customer, price=Decimal("1"))
    assert caught.value.code == CatalogErrorCode.NOT_PRODUCT_OWNER
    seller_id = store.catalog.get_product(product_id).seller_id
    view = store.catalog.update_product(
        product_id, seller_id, price=Decimal("15"), title="Road Shoe"
    )
    assert (view.price, view.title, view.created_at) == (Decimal("15.00"), "Road Shoe", created)
    updated = outbox_rows(store)[-1]
    assert updated["type"] == events.PRODUCT_UPDATED
    assert updated["payload"]["price"] == "15.00"
    assert updated["payload"]["updated_at"] == "2024-03-01T10:00:00+00:00"


def test_delete_hides_the_product(store, make_product, seller, outbox_rows):
    product_id = make_product()
    store.catalog.delete_product(product_id, seller)
    assert outbox_rows(store)[-1]["payload"] == {"product_id": product_id}
    with pytest.raises(ProductNotFound):
        store.catalog.get_product(product_id)
    with pytest.raises(ProductNotFound):
        store.catalog.delete_product(product_id, seller)
    assert store.catalog.list_products().items == []


def test_list_products_pages_with_a_cursor(store, make_product):
    made = [make_product() for _ in range(5)]
    first = store.catalog.list_products(limit=2)
    second = store.catalog.list_products(cursor=first.next_cursor, limit=2)
    third = store.catalog.list_products(cursor=second.next_cursor, limit=2)
    seen = [p.product_id for page in (first, second, third) for p in page.items]
    assert seen == made
    assert third.next_cursor is None


def test_restock_adds_units_and_logs_the_new_level(
    store, make_product, seller, customer, outbox_rows
):
    product_id = make_product(stock=3)
    assert store.inventory.restock(product_id, 7) == 10
    assert store.inventory.stock_level(product_id) == 10
    assert outbox_rows(store)[-1]["payload"] == {
        "product_id": product_id,
        "quantity": 10,
        "delta": 7,
        "reason": "restock",
        "offer_id": f"of-{product_id}",
        "offer_stock": 10,
    }
    with pytest.raises(InvalidQuantity):
        store.inventory.restock(product_id, 0)
    with pytest.raises(NotProductOwner):
        store.inventory.restock(product_id, 1, seller_id=customer)
    with pytest.raises(ProductNotFound):
        store.inventory.restock("p-999999", 1)


def test_a_product_on_an_order_under_way_is_not_delisted_until_the_order_is_over(
    store, make_product, seller, customer, outbox_rows
):
    kettle, mug = make_product(stock=3), make_product(stock=3)
    store.cart.add_item(customer, kettle, 1)
    paid = store.orders.checkout(customer, APPROVE_CARD)
    store.cart.add_item(customer, mug, 1)
    store.orders.checkout(customer, DECLINE_CARD)  # cancelled: not under way
    before = len(outbox_rows(store))
    with pytest.raises(ProductHasOpenOrders) as refused:
        store.catalog.delete_product(kettle, seller)
    assert refused.value.code == CatalogErrorCode.PRODUCT_HAS_OPEN_ORDERS
    assert refused.value.field == "product_id" and paid.order_id in refused.value.message
    assert len(outbox_rows(store)) == before  # nothing written
    assert store.catalog.get_product(kettle).product_id == kettle
    store.catalog.delete_product(mug, seller)  # its only order was cancelled
    with pytest.raises(ProductNotFound):
        store.catalog.get_product(mug)
