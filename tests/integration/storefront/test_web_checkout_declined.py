"""A declined card in Chromium: a clear message beside the card field, and the stock and the
cart exactly as they were before the attempt."""

from __future__ import annotations

import re

import httpx

from tests.integration.storefront.conftest import PASSWORD


def stock_of(shop, product_id: str) -> int:
    return httpx.get(f"{shop.url}/api/products/{product_id}").json()["stock"]


def sign_up(page, name: str, email: str, role: str = "shop") -> None:
    page.goto("/shop/sign-up")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label(role, exact=True).check()
    page.get_by_role("button", name="Sign up").click()


def test_a_declined_card_says_so_and_changes_nothing(page, shop):
    skillet = shop.products["Cast iron skillet"]
    sign_up(page, "Declined Shopper", "declined@example.com")
    page.goto(f"/shop/products/{skillet}")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart").click()
    stock_before = stock_of(shop, skillet)
    cart_before = page.locator("table.cart tbody").inner_text()

    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name=re.compile("^Pay")).click()

    message = page.locator("#card_number-error")
    assert "declined" in message.inner_text() and "Nothing was charged" in message.inner_text()
    assert page.get_by_label("Card number").get_attribute("aria-invalid") == "true"
    assert page.locator("table.cart tbody").inner_text() == cart_before
    assert stock_of(shop, skillet) == stock_before
    page.goto("/shop/cart")  # and so it stays on a fresh look
    assert page.locator("table.cart tbody").inner_text() == cart_before


def test_form_errors_stand_beside_their_field_and_forms_need_their_token(page, shop):
    sign_up(page, "Weak", "weak@example.com")
    page.goto("/shop/sign-up")
    page.get_by_label("Name").fill("Weak Again")
    page.get_by_label("Email").fill("weak@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    assert "already registered" in page.locator("#email-error").inner_text()
    assert page.get_by_label("Email").get_attribute("aria-invalid") == "true"
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "shop_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/shop"

    forged = page.request.post(
        f"{shop.url}/shop/cart/items",
        form={"product_id": shop.products["Travel kettle"], "csrf": "not-the-token"},
    )
    assert forged.status == 403
