"""The core journey with JavaScript off: every page is a server-rendered page and every action a
form. And with it on, the progressive touch: typeahead from the suggest API."""

from __future__ import annotations

import re

from tests.integration.storefront.test_web_checkout_declined import sign_up


def test_the_core_journey_needs_no_javascript(browser, shop):
    page = browser.new_context(base_url=shop.url, java_script_enabled=False).new_page()
    page.goto("/shop/")
    page.get_by_label("Search the store").fill("socks")
    page.get_by_role("button", name="Search").click()
    page.locator("ol.results a", has_text="Wool hiking socks").click()
    page.get_by_role("button", name="Add to cart").click()
    assert page.locator("table.cart tbody tr").count() == 1
    sign_up(page, "No Script", "noscript@example.com")
    page.goto("/shop/cart")
    assert page.locator("table.cart tbody tr").count() == 1
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_role("button", name=re.compile("^Pay")).click()
    assert page.locator("li.order .status").first.inner_text() == "paid"
    page.context.close()


def test_typeahead_offers_completions(page):
    page.goto("/shop/")
    page.get_by_label("Search the store").press_sequentially("kett")
    options = page.locator("#suggestions option")
    options.first.wait_for(state="attached")
    assert any(
        "kettle" in text.lower() for text in options.evaluate_all("o => o.map(x => x.value)")
    )
