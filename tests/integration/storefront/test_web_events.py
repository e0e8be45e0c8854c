"""What the web pages record beyond the journey: each page a shopper loads is a page view of their
session, a similar item opened and added is credited to its recommendation list; a crawler's
visit records nothing."""

from __future__ import annotations

import time

from contracts import events
from tests.integration.storefront.test_web_journey import outbox_events


def test_a_similar_item_opened_and_added_is_credited_to_its_list(page, shop):
    page.goto(f"/shop/products/{shop.products['Glass kettle with infuser']}")
    shown = outbox_events(shop, events.RECOMMENDATIONS_SHOWN)[-1]
    page.locator("section[aria-labelledby=similar-heading] a").first.click()
    clicked = outbox_events(shop, events.RECOMMENDATION_CLICKED)[-1]
    assert clicked["recommendation_id"] == shown["recommendation_id"]
    assert (clicked["product_id"], clicked["position"]) == (
        shown["items"][0]["product_id"],
        1,
    )
    assert clicked["session_id"] == shown["session_id"]
    if page.get_by_role("button", name="Add to cart").count():  # in stock
        page.get_by_role("button", name="Add to cart").click()
        added = outbox_events(shop, events.CART_ITEM_ADDED)[-1]
        assert added["recommendation_id"] == shown["recommendation_id"]


def page_views_after(shop, before: int, count: int) -> list[dict]:
    """The page views recorded since `before`, once there are `count`: a page view may be
    written just after its page reached the browser."""
    deadline = time.monotonic() + 5
    while len(viewed := outbox_events(shop, events.PAGE_VIEWED)[before:]) < count:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return viewed


def test_each_page_a_shopper_loads_is_a_page_view_of_their_session(page, shop):
    before = len(outbox_events(shop, events.PAGE_VIEWED))
    page.goto("/shop/")
    page.get_by_label("Search the store").fill("kettle")
    page.get_by_role("button", name="Search").click()
    page.locator("ol.results a").first.click()
    assert page.get_by_role("heading", level=1).is_visible()
    session_id = outbox_events(shop, events.SEARCH_PERFORMED)[-1]["session_id"]
    viewed = page_views_after(shop, before, 3)
    assert [(v["page"], v["referrer_page"]) for v in viewed] == [
        ("home", None),
        ("search", "home"),
        ("product", "search"),
    ]
    assert {v["session_id"] for v in viewed} == {session_id}
    clicked = outbox_events(shop, events.SEARCH_RESULT_CLICKED)[-1]
    assert viewed[-1]["product_id"] == clicked["product_id"]
    assert viewed[-1]["path"] == f"/shop/products/{clicked['product_id']}"
    assert all(v["customer_id"] is None for v in viewed)  # a guest


def test_a_crawler_records_no_impressions_clicks_or_page_views(browser, shop):
    crawler = browser.new_context(base_url=shop.url, user_agent="Googlebot/2.1").new_page()
    counted = [events.SEARCH_PERFORMED, events.SEARCH_RESULT_CLICKED, events.RECOMMENDATIONS_SHOWN]
    counted.append(events.PAGE_VIEWED)
    before = [len(outbox_events(shop, type_)) for type_ in counted]
    crawler.goto("/shop/search?q=kettle")
    crawler.locator("ol.results a").first.click()
    assert crawler.get_by_role("heading", level=1).is_visible()
    assert [len(outbox_events(shop, type_)) for type_ in counted] == before
    crawler.context.close()
