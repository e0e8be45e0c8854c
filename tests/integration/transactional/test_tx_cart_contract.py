"""One contract for both cart adapters: SQL rows in the store database and Redis hashes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from storeloop.settings import Settings
from transactional.bootstrap import Store, bootstrap
from transactional.cart.domain import (
    CartChangeCode,
    CartErrorCode,
    CartLine,
    CartNotFound,
    InvalidCartId,
)
from transactional.cart.port import CartBackend, carts_in, make_cart_backend, use_cart_backend
from transactional.cart.redis_carts import RedisCartBackend, RedisCarts
from transactional.cart.repository import SqlCartBackend
from transactional.inventory.domain import OutOfStock
from transactional.orders.repository import OrderRepository
from transactional.payments.sandbox import APPROVE_CARD


@pytest.fixture(params=["sql", pytest.param("redis", marks=pytest.mark.redis)])
def cart_backend(request, tmp_path) -> Iterator[CartBackend]:
    if request.param == "sql":
        yield make_cart_backend(Settings(data_dir=tmp_path))
        return
    url = request.getfixturevalue("redis_url")
    # A namespace per test: no flush of a Redis database somebody else might share.
    built = RedisCartBackend(url, guest_ttl_s=60, namespace=f"test-{uuid.uuid4().hex}:")
    yield built
    for key in built.client.scan_iter(match=built.namespace + "*"):
        built.client.delete(key)
    built.close()


@pytest.fixture
def shop(settings, cart_backend) -> Iterator[Store]:
    built = bootstrap(settings)
    use_cart_backend(built.engine, cart_backend)
    yield built
    built.close()


@pytest.fixture
def listed(shop):
    seller = shop.users.register("Sally", "sally@example.com", "seller")

    def make(stock: int = 10, price: str = "5.00") -> str:
        return shop.catalog.create_product(
            seller, "Cup", "", "", "", Decimal(price), initial_stock=stock
        )

    return make


def lines(view) -> list[tuple[str, int]]:
    return [(item.product_id, item.quantity) for item in view.items]


def test_the_settings_switch_picks_the_adapter(tmp_path):
    assert isinstance(make_cart_backend(Settings(data_dir=tmp_path)), SqlCartBackend)
    redis = make_cart_backend(Settings(data_dir=tmp_path, cart_backend="redis"))
    assert isinstance(redis, RedisCartBackend)  # builds without connecting
    redis.close()


def test_customer_cart_adds_up_and_removes(shop, listed):
    buyer = shop.users.register("Carl", "carl@example.com")
    cup, mug = listed(), listed(price="7.50")
    cart_id = shop.cart.add_item(buyer, cup, 2)
    assert shop.cart.add_item(buyer, cup, 1) == cart_id
    shop.cart.add_item(buyer, mug, 1)
    view = shop.cart.view(buyer)
    assert view.cart_id == cart_id and sorted(lines(view)) == sorted([(cup, 3), (mug, 1)])
    assert view.total == Decimal("22.50") and view.changes == []
    shop.cart.remove_item(buyer, cup)
    assert lines(shop.cart.view(buyer)) == [(mug, 1)]


def test_guest_cart_then_merge_at_login(shop, listed):
    buyer = shop.users.register("Gus", "gus@example.com")
    scarce, plenty = listed(stock=3), listed(stock=50)
    shop.cart.add_item(buyer, scarce, 2)
    guest = shop.cart.add_guest_item(None, scarce, 2).cart_id
    assert guest is not None and guest.startswith("g-")
    assert shop.cart.add_guest_item(guest, plenty, 4).cart_id == guest
    assert sorted(lines(shop.cart.view_guest(guest))) == sorted([(scarce, 2), (plenty, 4)])
    merge = shop.cart.merge_guest(guest, buyer)
    assert merge is not None
    assert [(c.code, c.requested, c.available) for c in merge.changes] == [
        (CartChangeCode.QUANTITY_CAPPED, 4, 3)
    ]
    assert sorted(lines(shop.cart.view(buyer))) == sorted([(scarce, 3), (plenty, 4)])
    with pytest.raises(CartNotFound):
        shop.cart.view_guest(guest)
    assert shop.cart.merge_guest(guest, buyer) is None  # an old cookie: nothing to merge


def test_guest_ids_are_checked(shop, listed):
    with pytest.raises(InvalidCartId) as raised:
        shop.cart.add_guest_item("cart-c-000001", listed(), 1)
    assert raised.value.code == CartErrorCode.INVALID_CART_ID
    with pytest.raises(CartNotFound):
        shop.cart.view_guest("g-" + "0" * 30)


def test_checkout_empties_the_cart_and_a_failed_one_keeps_it(shop, listed):
    buyer, rival = (shop.users.register(n, f"{n}@example.com") for n in ("ann", "bob"))
    last_one = listed(stock=1)
    shop.cart.add_item(buyer, last_one, 1)
    shop.cart.add_item(rival, last_one, 1)
    assert shop.orders.checkout(buyer, APPROVE_CARD).status == "paid"
    assert shop.cart.view(buyer).items == []
    with pytest.raises(OutOfStock):
        shop.orders.checkout(rival, APPROVE_CARD)
    view = shop.cart.view(rival)
    assert lines(view) == [(last_one, 1)]
    assert [c.code for c in view.changes] == [CartChangeCode.OUT_OF_STOCK]
    assert view.ready is False


def test_carts_outlive_the_process(settings, cart_backend, listed, shop):
    buyer = shop.users.register("Dee", "dee@example.com")
    cup = listed()
    shop.cart.add_item(buyer, cup, 2)
    guest = shop.cart.add_guest_item(None, cup, 1).cart_id
    assert guest is not None
    restarted = bootstrap(settings)
    use_cart_backend(restarted.engine, cart_backend)
    try:
        assert lines(restarted.cart.view(buyer)) == [(cup, 2)]
        assert lines(restarted.cart.view_guest(guest)) == [(cup, 1)]
    finally:
        restarted.close()


def test_lines_keep_the_search_and_list_they_were_found_in(shop, listed):
    buyer = shop.users.register("Eve", "eve@example.com")
    cup, mug = listed(), listed()
    shop.cart.add_item(buyer, cup, 1, search_id="srch-1", recommendation_id="rec-1")
    shop.cart.add_item(buyer, cup, 1)  # named neither: both credits stay
    shop.cart.add_item(buyer, mug, 1, recommendation_id="rec-2")
    with shop.engine.connect() as connection:
        cart = carts_in(connection).for_customer(buyer)
    assert cart is not None
    assert {p: (li.search_id, li.recommendation_id) for p, li in cart.lines.items()} == {
        cup: ("srch-1", "rec-1"),
        mug: (None, "rec-2"),
    }
    order = shop.orders.checkout(buyer, APPROVE_CARD)
    with shop.engine.connect() as connection:
        placed = OrderRepository(connection).get(order.order_id)
    assert placed is not None
    assert {li.product_id: li.recommendation_id for li in placed.lines} == {
        cup: "rec-1",
        mug: "rec-2",
    }


@pytest.mark.redis
def test_a_redis_line_saved_before_recommendations_reads_as_found_by_none(redis_url):
    backend = RedisCartBackend(redis_url, guest_ttl_s=60, namespace=f"test-{uuid.uuid4().hex}:")
    key = f"{backend.namespace}cart:cart-c-000001"
    old_line = {"quantity": 2, "unit_price": "5.00", "search_id": "srch-1", "added_at": "t"}
    try:
        backend.client.hset(key, mapping={"owner": "c-000001", "line:p-1": json.dumps(old_line)})
        cart = RedisCarts(backend, connection=None).get("cart-c-000001")  # type: ignore[arg-type]
        assert cart is not None
        assert cart.lines["p-1"] == CartLine("p-1", 2, Decimal("5.00"), "srch-1", None)
    finally:
        backend.client.delete(key)
        backend.close()
