"""What the web pages record beyond the journey: a similar item opened and added is credited to
its recommendation list; a crawler's visit records nothing."""

from __future__ import annotations

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


def test_a_crawler_records_no_impressions_or_clicks(browser, shop):
    crawler = browser.new_context(base_url=shop.url, user_agent="Googlebot/2.1").new_page()
    counted = [events.SEARCH_PERFORMED, events.SEARCH_RESULT_CLICKED, events.RECOMMENDATIONS_SHOWN]
    before = [len(outbox_events(shop, type_)) for type_ in counted]
    crawler.goto("/shop/search?q=kettle")
    crawler.locator("ol.results a").first.click()
    assert crawler.get_by_role("heading", level=1).is_visible()
    assert [len(outbox_events(shop, type_)) for type_ in counted] == before
    crawler.context.close()
