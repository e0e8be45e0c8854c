"""Every page of the storefront through axe-core (the copy axe-playwright-python ships: nothing
fetched at test time) in Chromium: no serious or critical violations, at a desktop's width and
a phone's, where nothing scrolls sideways. With STORE_SCREENSHOTS set to a folder (`make
screenshots`), each page is also saved there as a PNG."""

from __future__ import annotations

import os
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from tests.integration.storefront.test_web_checkout_declined import sign_up

BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}
AXE = Axe()
# The pages README shows; the others are checked, not photographed.
PICTURED = {"home", "search", "product", "checkout-declined", "orders", "seller-listings",
            "seller-orders", "phone-search", "orders-tracking", "seller-sales"}  # fmt: skip


def check(page, name: str) -> None:
    found = AXE.run(page).response["violations"]
    blocking = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in BLOCKING
    ]
    assert blocking == [], f"{name}: {blocking}"
    folder = os.environ.get("STORE_SCREENSHOTS")
    if folder and name in PICTURED:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_every_shopper_page_passes_axe(page, shop):
    kettle = shop.products["Steel kettle 1.7 l"]
    page.goto("/shop/")
    check(page, "home")
    page.goto("/shop/search?q=kettle")
    check(page, "search")
    page.goto(f"/shop/products/{kettle}")
    check(page, "product")
    page.get_by_role("button", name="Add to cart").click()
    check(page, "cart-guest")
    page.goto("/shop/")
    recent = page.locator("section[aria-labelledby=recent-heading] .title")
    assert recent.all_inner_texts() == ["Steel kettle 1.7 l"]
    assert page.title() == "Home · storeloop"
    check(page, "home-recent")
    page.goto("/shop/sign-in")
    check(page, "sign-in")
    page.goto("/shop/products/p-nothing")
    check(page, "not-found")
    sign_up(page, "Axe Shopper", "axe@example.com")
    page.goto("/shop/sign-up")
    page.get_by_label("Email").fill("axe@example.com")
    page.get_by_role("button", name="Sign up").click()  # the browser stops it: required fields
    page.get_by_label("Name").fill("Axe Again")
    page.get_by_label("Password").fill("short")
    page.get_by_label("Password").evaluate("input => input.removeAttribute('minlength')")
    page.get_by_role("button", name="Sign up").click()
    assert page.locator(".error").count() >= 1
    check(page, "sign-up-errors")
    page.goto("/shop/cart")
    page.get_by_label("Card number").fill("4000000000000002")
    page.get_by_role("button", name=re.compile("^Pay")).click()
    check(page, "checkout-declined")
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_role("button", name=re.compile("^Pay")).click()
    check(page, "orders")


def test_every_seller_page_passes_axe(page, shop):
    sign_up(page, "Axe Seller", "axe-seller@example.com", role="sell")
    page.get_by_label("Title").fill("Linen apron")
    page.get_by_label("Price ($)").fill("24.00")
    page.get_by_role("button", name="List product").click()
    check(page, "seller-listings")
    page.get_by_role("link", name="Linen apron").click()
    check(page, "seller-edit")
    page.get_by_role("button", name="Delete listing").click()
    assert page.locator("table.listings", has_text="Linen apron").count() == 0
    page.goto("/shop/seller/orders")
    check(page, "seller-orders")


def test_pages_fit_a_phone(browser, shop):
    phone = browser.new_context(base_url=shop.url, viewport=PHONE, is_mobile=True).new_page()
    for name, path in [("phone-home", "/shop/"), ("phone-search", "/shop/search?q=kettle")]:
        phone.goto(path)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px"
        check(phone, name)
    phone.context.close()
