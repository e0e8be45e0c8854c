"""A guest's whole journey in Chromium: a typo'd search, a facet, a product, the cart, sign-up
(the guest cart merges), payment with the approving sandbox card, the order; and its events
in the outbox and, through the lake writer, in bronze."""

from __future__ import annotations

import json
import re

import pyarrow.dataset as ds
from sqlalchemy import select

from consumers.lake_writer import LakeWriter
from contracts import events
from tests.integration.storefront.conftest import PASSWORD
from transactional.common.outbox import outbox


def outbox_events(shop, type_: str) -> list[dict]:
    with shop.store.engine.connect() as connection:
        rows = connection.execute(
            select(outbox.c.payload).where(outbox.c.type == type_).order_by(outbox.c.position)
        )
        return [json.loads(payload) for (payload,) in rows]


def test_a_guest_searches_with_a_typo_filters_buys_and_sees_the_order(page, shop):
    page.goto("/shop/")
    page.get_by_label("Search the store").fill("ketle")
    page.get_by_role("button", name="Search").click()
    assert page.locator("#showing-for").is_visible()  # the typo was corrected, and says so
    assert "kettle" in page.locator("#showing-for").inner_text().lower()
    facet = page.locator("[data-facet=brand] a", has_text=re.compile("^acme", re.I))
    facet.click()
    titles = page.locator("ol.results .title").all_inner_texts()
    assert titles and all(
        "Acme" in shop_brand for shop_brand in page.locator("ol.results .meta").all_inner_texts()
    )
    assert "Travel kettle" in titles  # sold out, still listed, and marked
    sold_out = page.locator("ol.results li", has_text="Travel kettle")
    assert sold_out.get_by_text("Out of stock").is_visible()

    page.locator("ol.results a", has_text="Steel kettle").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Steel kettle 1.7 l"
    page.get_by_role("button", name="Add to cart").click()
    assert page.get_by_text("Added to your cart.").is_visible()

    page.get_by_role("link", name="create an account").click()
    page.get_by_label("Name").fill("Guest Shopper")
    page.get_by_label("Email").fill("guest@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    assert page.url.endswith("/shop/cart")
    assert page.locator("table.cart tbody tr").count() == 1  # the guest's cart, merged
    assert page.locator("#cart-total").inner_text() == "$34.99"

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile("^Pay")).click()
    order = page.locator("li.order").first
    assert order.locator(".status").inner_text() == "paid"
    assert page.get_by_role("status").inner_text().startswith("Thank you")

    customer_id = outbox_events(shop, events.CUSTOMER_REGISTERED)[-1]["customer_id"]
    searches = outbox_events(shop, events.SEARCH_PERFORMED)
    clicks = outbox_events(shop, events.SEARCH_RESULT_CLICKED)
    added = outbox_events(shop, events.CART_ITEM_ADDED)[-1]
    placed = outbox_events(shop, events.ORDER_PLACED)[-1]
    clicked = clicks[-1]
    search = next(s for s in searches if s["search_id"] == clicked["search_id"])
    assert search["session_id"].startswith("web-") and search["ranker"] == "index"
    assert [r["position"] for r in search["results"]] == list(range(1, len(search["results"]) + 1))
    assert clicked["session_id"] == search["session_id"]
    assert clicked["product_id"] == shop.products["Steel kettle 1.7 l"]
    assert added["search_id"] == search["search_id"]  # the cart add names the list it came from
    assert placed["customer_id"] == customer_id
    assert placed["items"][0]["search_id"] == search["search_id"]
    similar = outbox_events(shop, events.RECOMMENDATIONS_SHOWN)[-1]
    assert (similar["surface"], similar["anchor_product_id"]) == ("similar", clicked["product_id"])
    assert similar["session_id"] == search["session_id"] and similar["items"]

    LakeWriter(shop.settings).run_once()
    bronze = ds.dataset(shop.settings.lake_dir / "bronze" / "events", partitioning="hive")
    landed = bronze.to_table(columns=["type", "aggregate_id"]).to_pylist()
    assert {"type": events.ORDER_PLACED, "aggregate_id": placed["order_id"]} in landed
