"""Fresh shopper signals end to end: the store's service layer commits, the consumer folds the
outbox into Feast's online store, serving reads it; materialize never undoes a fresher push."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest

from consumers.checkpoint import FileCheckpoint
from consumers.feed import OutboxFeed
from consumers.shopper_activity import NAME, ShopperActivityConsumer
from features.activity import ShopperActivity
from features.activity_online import online_states, push_states
from features.sample_gold import START, write_sample_gold
from features.store import apply, feature_store, materialize
from serving.features import OnlineFeatures
from storeloop.settings import Settings
from transactional.bootstrap import bootstrap

CARD = "4242424242424242"


@pytest.fixture
def shop(tmp_path):
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    store = bootstrap(settings)
    seller = store.users.register("Seller", "seller@example.com", role="seller")
    shopper = store.users.register("Shopper", "shopper@example.com")
    products = [
        store.catalog.create_product(
            seller, f"Kettle {n}", "steel", "Acme", "Kitchen", Decimal("20"), initial_stock=5
        )
        for n in range(3)
    ]
    yield settings, store, shopper, products
    store.close()


def test_a_click_then_the_online_row_shows_it(shop):
    settings, store, shopper, (p1, p2, p3) = shop
    consumer = ShopperActivityConsumer(settings)
    assert consumer.run_once() == 0  # catalog events only: no shopper activity
    search = store.storefront.record_search(
        "sess-1", shopper, "Steel Kettle", [{"product_id": p1, "position": 1, "score": 2.0}],
        "index",
    )  # fmt: skip
    store.storefront.record_click(search, "sess-1", shopper, p1, 1)
    store.cart.add_item(shopper, p2, 1)
    assert consumer.run_once() == 3
    seen = OnlineFeatures(settings).for_shopper(shopper)
    assert seen is not None
    assert seen.recent_products == (p1, p2) and seen.recent_queries == ("steel kettle",)
    assert seen.purchased_products == ()
    store.orders.checkout(shopper, CARD)  # placed, then paid: the purchase
    assert consumer.run_once() == 2
    bought = OnlineFeatures(settings).for_shopper(shopper)
    assert bought is not None and bought.purchased_products == (p2,)
    assert consumer.run_once() == 0


def test_a_crash_between_push_and_checkpoint_replays_without_counting_twice(shop):
    settings, store, shopper, (p1, p2, _) = shop
    store.cart.add_item(shopper, p1, 1)
    store.cart.add_item(shopper, p2, 1)
    consumer = ShopperActivityConsumer(settings)
    batch = OutboxFeed(settings.db_url).read(0, 1_000)
    assert consumer.apply(batch) == 2  # pushed... and the process dies before the checkpoint
    assert FileCheckpoint(settings.checkpoint_dir, NAME).position == 0
    before = online_states(consumer.store, [shopper])[shopper]
    restarted = ShopperActivityConsumer(settings)
    assert restarted.run_once() == 0  # the replay folds nothing in twice
    after = online_states(restarted.store, [shopper])[shopper]
    assert after == before and after.recent_products == (p1, p2)
    assert FileCheckpoint(settings.checkpoint_dir, NAME).position == batch[-1].position


def test_the_follower_makes_a_cart_add_visible_within_seconds(shop):
    settings, store, shopper, (p1, _, _) = shop
    consumer = ShopperActivityConsumer(settings)
    consumer.run_once()  # start-up (Feast apply) is not freshness
    stop = threading.Event()
    follower = threading.Thread(target=consumer.follow, args=(stop, 0.05))
    follower.start()
    reader = OnlineFeatures(settings)
    try:
        store.cart.add_item(shopper, p1, 1)
        committed = time.perf_counter()
        while (found := reader.for_shopper(shopper)) is None or p1 not in found.recent_products:
            assert time.perf_counter() - committed < 5.0, "cart add never reached Feast"
            time.sleep(0.01)
        # The goal is a second at p99 (benchmarks/fresh_signals.py); a shared CI core gets slack.
        assert time.perf_counter() - committed < 3.0
    finally:
        stop.set()
        follower.join(timeout=10)
    assert not follower.is_alive()


def test_materialize_never_replaces_a_newer_pushed_row(tmp_path):
    settings = Settings(data_dir=tmp_path)
    settings.ensure_dirs()
    gold = write_sample_gold(settings)["shopper_activity"]
    last = gold.sort_values("log_position").groupby("customer_id").tail(1).set_index("customer_id")
    store = apply(settings)
    pushed_later = ShopperActivity("c-000001", ("p-fresh",), (), (), (), 10**6, START)
    pushed_earlier = ShopperActivity("c-000002", ("p-stale",), (), (), (), 1, START)
    push_states(store, [pushed_later, pushed_earlier])

    report = materialize(settings)

    online = online_states(feature_store(settings), ["c-000001", "c-000002", "c-000003"])
    assert online["c-000001"].recent_products == ("p-fresh",)  # newer than gold: kept
    assert online["c-000002"].log_position == last.loc["c-000002", "log_position"]  # replaced
    assert online["c-000003"].recent_products == tuple(last.loc["c-000003", "recent_products"])
    assert report["rows"]["shopper_activity"] == len(last) - 1
    assert materialize(settings)["rows"]["shopper_activity"] == 0  # nothing newer the second time
