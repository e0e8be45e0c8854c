"""A seller in Chromium: lists a product that shoppers find by search within 2 s, restocks it,
and ships a shopper's order, which the shopper then sees as shipped, with its tracking number."""

from __future__ import annotations

import re
import time

from tests.integration.storefront.test_web_checkout_declined import sign_up
from tests.integration.storefront.test_web_pages import check

FRESH_WITHIN_S = 2.0


def test_a_seller_lists_restocks_and_ships(browser, shop):
    seller = browser.new_context(base_url=shop.url).new_page()
    shopper = browser.new_context(base_url=shop.url).new_page()
    sign_up(seller, "Grove Goods", "grove@example.com", role="sell")
    assert seller.get_by_role("heading", level=1).inner_text() == "My listings"
    seller.get_by_label("Title").fill("Bamboo cutting board")
    seller.get_by_label("Brand").fill("Grove")
    seller.get_by_label("Category").fill("Kitchen")
    seller.get_by_label("Price ($)").fill("18.00")
    seller.get_by_label("Units in stock").fill("1")
    seller.get_by_role("button", name="List product").click()
    listed = time.monotonic()
    row = seller.locator("table.listings tr", has_text="Bamboo cutting board")
    assert row.locator(".stock").inner_text() == "1"

    found = False
    while not found and time.monotonic() - listed < FRESH_WITHIN_S:
        shopper.goto("/shop/search?q=bamboo+board")
        found = shopper.locator("ol.results a", has_text="Bamboo cutting board").count() > 0
    assert found, f"not in search {FRESH_WITHIN_S} s after it was listed"

    row.get_by_label("Units to add to Bamboo cutting board").fill("5")
    row.get_by_role("button", name="Restock").click()
    row = seller.locator("table.listings tr", has_text="Bamboo cutting board")
    assert row.locator(".stock").inner_text() == "6"

    shopper.locator("ol.results a", has_text="Bamboo cutting board").click()
    shopper.get_by_role("button", name="Add to cart").click()
    shopper.get_by_role("link", name="create an account").click()
    shopper.get_by_label("Name").fill("Board Buyer")
    shopper.get_by_label("Email").fill("board@example.com")
    shopper.get_by_label("Password").fill("a long passphrase for tests")
    shopper.get_by_role("button", name="Sign up").click()
    shopper.get_by_label("Card number").fill("4242424242424242")
    shopper.get_by_role("button", name=re.compile("^Pay")).click()
    order_id = shopper.locator("li.order").first.get_attribute("data-order")

    seller.get_by_role("link", name="My orders to ship").click()
    seller.get_by_role("button", name=f"Ship order {order_id}").click()
    shipped = seller.locator(f"li.order[data-order='{order_id}'] .status").inner_text()
    shopper.goto("/shop/orders")
    seen = shopper.locator(f"li.order[data-order='{order_id}'] .status").inner_text()
    assert shipped == seen == "shipped"
    tracking = shopper.locator(f"li.order[data-order='{order_id}'] .tracking")
    assert tracking.locator(".tracking-number").inner_text() == f"trk_{order_id}"
    assert tracking.locator(".tracking-status").get_attribute("data-status") == "created"
    tracking.get_by_text("Tracking history").click()
    history = tracking.locator(".tracking-history li")
    assert history.count() == 1 and history.first.is_visible()
    check(shopper, "orders-tracking")
    assert seller.locator(f"li.order[data-order='{order_id}'] .tracking-number").count() == 1
    check(seller, "seller-orders-shipped")
    seller.context.close()
    shopper.context.close()
