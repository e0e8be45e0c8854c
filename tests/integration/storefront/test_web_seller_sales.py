"""A seller's sales page in Chromium: empty until the marts know a sale, then the day's order,
units and revenue with totals, once real dbt has built the marts the gateway reads. The silver
lake under them is written by the test from the store's own order (standing in for the lake
writer and Spark's silver job, which take minutes here); dbt and the page's reader are real."""

from __future__ import annotations

import re
from datetime import datetime

import duckdb
import httpx

from storeloop.settings import Settings
from tests.integration.storefront.conftest import PASSWORD
from tests.integration.storefront.test_web_checkout_declined import sign_up
from tests.integration.storefront.test_web_pages import PHONE, check
from tests.integration.warehouse.sales_lake import Line, SoldOrder, write_sales_lake
from warehouse.dbt_build import build_marts

EMPTY = "No sales yet — figures refresh when the marts are rebuilt."


def buy(url: str, product_id: str, quantity: int) -> dict:
    """A shopper pays for the product through the API; the order as the API answers it."""
    with httpx.Client(base_url=url) as api:
        account = {"email": "sales-buyer@example.com", "password": PASSWORD}
        api.post("/api/auth/register", json={"name": "Sales Buyer", **account})
        token = api.post("/api/auth/login", json=account).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        item = {"product_id": product_id, "quantity": quantity}
        assert api.post("/api/cart/items", json=item, headers=headers).status_code == 201
        paid = api.post("/api/orders", json={"card_number": "4242424242424242"}, headers=headers)
        assert paid.json()["status"] == "paid", paid.text
        return paid.json()


def build_marts_of(settings: Settings, order: dict, seller_id: str) -> None:
    lines = [
        Line(i["product_id"], seller_id, i["quantity"], float(i["unit_price"]))
        for i in order["items"]
    ]
    placed_at = datetime.fromisoformat(order["placed_at"])
    sold = SoldOrder(order["order_id"], order["customer_id"], order["status"], placed_at, lines)
    write_sales_lake(settings.lake_dir, [sold])
    build_marts(settings)


def test_a_seller_sees_a_paid_order_on_the_sales_page_once_the_marts_are_built(browser, shop):
    seller = browser.new_context(base_url=shop.url).new_page()
    sign_up(seller, "Sales Seller", "sales-seller@example.com", role="sell")
    seller.get_by_label("Title").fill("Oak serving tray")
    seller.get_by_label("Price ($)").fill("27.50")
    seller.get_by_label("Units in stock").fill("5")
    seller.get_by_role("button", name="List product").click()
    product_id = seller.locator("tr", has_text="Oak serving tray").get_attribute("data-product")
    assert product_id

    seller.get_by_role("link", name="My sales").click()
    assert seller.get_by_role("heading", level=1).inner_text() == "My sales"
    assert seller.locator("p.empty").inner_text() == EMPTY
    check(seller, "seller-sales-empty")

    order = buy(shop.url, product_id, 2)
    seller.reload()
    assert seller.locator("p.empty").count() == 1  # the marts know nothing of it yet

    seller_id = httpx.get(f"{shop.url}/api/products/{product_id}").json()["seller_id"]
    build_marts_of(shop.settings, order, seller_id)
    seller.reload()
    day = order["placed_at"][:10]
    row = seller.locator(f"table.sales tbody tr[data-day='{day}']")
    cells = row.locator("td").all_inner_texts()
    assert cells == ["1", "1", "2", "$55.00", "$0.00", "$55.00"]
    totals = seller.locator("table.sales tfoot tr").locator("td").all_inner_texts()
    assert totals == cells
    check(seller, "seller-sales")

    seller.get_by_label("Period").select_option("7")
    seller.get_by_role("button", name="Show").click()
    assert re.search(r"days=7$", seller.url)
    assert seller.locator("table.sales tbody tr").count() == 1

    seller.set_viewport_size(PHONE)
    overflow = seller.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the sales page scrolls sideways by {overflow} px"
    check(seller, "phone-seller-sales")

    # A dbt build writing the file in this process (the embedded loop runs dbt in-process).
    with duckdb.connect(str(shop.settings.warehouse_path)):
        busy = seller.reload()
        assert busy is not None and busy.status == 503
        assert "being refreshed" in seller.locator(".notice").inner_text()
        check(seller, "seller-sales-busy")
    seller.context.close()


def test_a_shopper_is_sent_to_sign_in_as_a_seller(page):
    sign_up(page, "Curious Shopper", "curious@example.com")
    page.goto("/shop/seller/sales")
    assert "/shop/sign-in" in page.url
