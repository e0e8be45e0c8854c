"""Products with variants (parent and child items): a family listed in one transaction, the rules
on its options, a parent never bought; also run on SQLite files and PostgreSQL by
tests/integration/transactional (test_tx_contract)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from contracts import events
from tests.unit.transactional.test_tx_api import api, as_user, sign_up  # noqa: F401 (fixture)
from transactional.catalog.domain import (
    CatalogErrorCode,
    NotProductOwner,
    ProductHasOpenOrders,
    ProductNotFound,
)
from transactional.catalog.variants import (
    InvalidOptions,
    NotAParent,
    ProductHasVariants,
    VariantExists,
)
from transactional.payments.sandbox import APPROVE_CARD

SIZES = {"8": ("40.00", 3), "9": ("42.00", 0), "10": ("42.00", 5)}


def family(store, seller: str, **extra) -> str:
    variants = [
        {"options": {"size": size, "colour": "Red"}, "price": Decimal(price), "stock": stock}
        for size, (price, stock) in SIZES.items()
    ]
    return store.catalog.create_product(
        seller, "Trail runner", "Light shoe", "Acme", "Shoes > Running", None,
        options=["size", "colour"], variants=variants, **extra,
    )  # fmt: skip


def test_a_family_lists_its_parent_and_variants_in_one_go(store, seller, outbox_rows):
    parent_id = family(store, seller)
    parent = store.catalog.get_product(parent_id)
    assert parent.option_names == ["size", "colour"]
    assert parent.parent_id is None and parent.options is None and parent.offer_id is None
    variants = parent.variants or []
    assert [(v.options["size"], v.price, v.stock, v.in_stock) for v in variants] == [
        ("8", Decimal("40.00"), 3, True),
        ("9", Decimal("42.00"), 0, False),
        ("10", Decimal("42.00"), 5, True),
    ]  # in id order: as they were listed
    # The family's figures: its cheapest variant in stock, the units of all.
    assert (parent.price, parent.stock) == (Decimal("40.00"), 8)
    eight = next(v for v in variants if v.options["size"] == "8")
    variant = store.catalog.get_product(eight.product_id)
    assert (variant.parent_id, variant.options) == (parent_id, {"size": "8", "colour": "Red"})
    assert variant.option_names == ["size", "colour"] and variant.variants == variants
    assert (variant.title, variant.brand, variant.offer_id) == (
        "Trail runner, 8, Red", "Acme", f"of-{eight.product_id}",
    )  # fmt: skip
    assert store.inventory.stock_level(parent_id) == 0  # no stock of its own
    assert store.offers.offers_of_product(parent_id) == []

    created = [r["payload"] for r in outbox_rows(store) if r["type"] == events.PRODUCT_CREATED]
    assert [p["product_id"] for p in created] == [
        parent_id,
        *sorted(v.product_id for v in variants),
    ]
    assert created[0]["option_names"] == ["size", "colour"] and "parent_id" not in created[0]
    assert {p["parent_id"] for p in created[1:]} == {parent_id}
    assert created[1]["options"] == {"size": "8", "colour": "Red"}
    assert all(events.unknown_keys(events.PRODUCT_CREATED, p) == [] for p in created)


def test_a_variant_of_each_option_combination_only_once(store, seller, count):
    parent_id = family(store, seller)
    with pytest.raises(VariantExists) as taken:
        store.catalog.add_variant(
            seller, parent_id, options={"size": "8", "colour": "red"}, price=Decimal("1")
        )
    assert (taken.value.code, taken.value.field) == (CatalogErrorCode.VARIANT_EXISTS, "options")
    added = store.catalog.add_variant(
        seller, parent_id, options={"colour": "Blue", "size": "8"}, price=Decimal("39"), stock=2
    )
    view = store.catalog.get_product(added)
    assert (view.options, view.stock, view.price) == (
        {"size": "8", "colour": "Blue"}, 2, Decimal("39.00"),
    )  # fmt: skip
    # Within one new family too, and nothing of it stays behind.
    products = count(store, "products")
    twice = [{"options": {"size": "8"}, "price": Decimal("1")}] * 2
    with pytest.raises(VariantExists) as doubled:
        store.catalog.create_product(
            seller, "Sock", "", "", "", None, options=["size"], variants=twice
        )
    assert doubled.value.field == "variants.1.options"
    assert count(store, "products") == products


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"size": "8"}, "options"),  # a name missing
        ({"size": "8", "colour": "Red", "width": "W"}, "options"),  # one too many
        ({"size": "8", "color": "Red"}, "options"),  # another name
        ({"size": " ", "colour": "Red"}, "options.size"),  # a blank value
        ({"size": 8, "colour": "Red"}, "options.size"),  # not a text
        (["8", "Red"], "options"),  # not a mapping
    ],
)
def test_a_variants_options_name_exactly_its_parents(store, seller, options, field):
    parent_id = family(store, seller)
    with pytest.raises(InvalidOptions) as bad:
        store.catalog.add_variant(seller, parent_id, options=options, price=Decimal("5"))
    assert (bad.value.code, bad.value.field) == (CatalogErrorCode.INVALID_OPTIONS, field)


def test_variants_hang_under_a_parent_of_the_same_seller_only(store, seller, make_product):
    parent_id = family(store, seller)
    rival = store.users.register("Rita Rival", "rita@example.com", "seller")
    with pytest.raises(NotProductOwner):
        store.catalog.add_variant(
            rival, parent_id, options={"size": "11", "colour": "Red"}, price=Decimal("5")
        )
    variant_id = (store.catalog.get_product(parent_id).variants or [])[0].product_id
    standalone = make_product()
    for not_a_parent in (variant_id, standalone):  # a variant is never a parent itself
        with pytest.raises(NotAParent) as refused:
            store.catalog.add_variant(
                seller, not_a_parent, options={"size": "11"}, price=Decimal("5")
            )
        assert refused.value.field == "parent_id"
    with pytest.raises(ProductNotFound):
        store.catalog.add_variant(seller, "p-nothing", options={}, price=Decimal("5"))


def test_a_parent_is_never_carted_ordered_offered_or_restocked(store, seller, customer):
    parent_id = family(store, seller)
    rival = store.users.register("Rita Rival", "rita@example.com", "seller")
    attempts = [
        lambda: store.cart.add_item(customer, parent_id, 1),
        lambda: store.cart.add_guest_item(None, parent_id, 1),
        lambda: store.offers.create_offer(rival, parent_id, Decimal("9.00"), 3),
        lambda: store.inventory.restock(parent_id, 5),
    ]
    for attempt in attempts:
        with pytest.raises(ProductHasVariants) as refused:
            attempt()
        assert (refused.value.code, refused.value.field) == (
            CatalogErrorCode.PRODUCT_HAS_VARIANTS, "product_id",
        )  # fmt: skip


def test_variants_sell_apart_and_deleting_the_parent_deletes_the_family(
    store, seller, customer, outbox_rows
):
    parent_id = family(store, seller)
    by_size = {v.options["size"]: v for v in store.catalog.get_product(parent_id).variants or []}
    store.cart.add_item(customer, by_size["8"].product_id, 2)
    store.cart.add_item(customer, by_size["10"].product_id, 1)
    order = store.orders.checkout(customer, APPROVE_CARD)
    assert order.status == "paid"
    assert {line.product_id for line in order.items} == {
        by_size["8"].product_id, by_size["10"].product_id,
    }  # fmt: skip
    levels = {size: store.inventory.stock_level(v.product_id) for size, v in by_size.items()}
    assert levels == {"8": 1, "9": 0, "10": 4}

    # a family with an order under way stays listed until the order is over
    with pytest.raises(ProductHasOpenOrders):
        store.catalog.delete_product(parent_id, seller)
    for move in (store.orders.mark_fulfilled, store.orders.mark_shipped,
                 store.orders.mark_delivered):  # fmt: skip
        move(order.order_id)
    store.catalog.delete_product(parent_id, seller)
    deleted = {r["aggregate_id"] for r in outbox_rows(store) if r["type"] == events.PRODUCT_DELETED}
    assert deleted == {parent_id, *(v.product_id for v in by_size.values())}
    for gone in deleted:
        with pytest.raises(ProductNotFound):
            store.catalog.get_product(gone)


def test_a_parent_without_a_variant_or_with_stock_of_its_own_is_refused(store, seller):
    with pytest.raises(InvalidOptions) as empty:
        store.catalog.create_product(seller, "Sock", "", "", "", None, options=["size"])
    assert empty.value.field == "variants"
    with pytest.raises(InvalidOptions) as nameless:
        store.catalog.create_product(
            seller, "Sock", "", "", "", None, variants=[{"options": {}, "price": Decimal("1")}]
        )
    assert nameless.value.field == "options"
    with pytest.raises(InvalidOptions) as twice:
        store.catalog.create_product(
            seller, "Sock", "", "", "", None, options=["size", "Size"],
            variants=[{"options": {"size": "1"}, "price": Decimal("1")}],
        )  # fmt: skip
    assert twice.value.field == "options"


# --- over HTTP ---------------------------------------------------------------------------------


def error_of(answer) -> dict:
    return answer.json()["error"]


@pytest.fixture
def seller_headers(api) -> dict[str, str]:  # noqa: F811 (fixture)
    _, tokens = sign_up(api, "Sam Seller", "sam@example.com", "seller")
    return as_user(tokens["access_token"])


FAMILY = {
    "title": "Trail runner",
    "brand": "Acme",
    "options": ["size", "colour"],
    "variants": [
        {"options": {"size": "8", "colour": "Red"}, "price": "40.00", "stock": 3},
        {"options": {"size": "9", "colour": "Red"}, "price": "42.00", "stock": 1},
    ],
}


def test_http_family_lists_shows_and_adds_variants(api, seller_headers):  # noqa: F811
    created = api.post("/api/products", json=FAMILY, headers=seller_headers)
    assert created.status_code == 201, created.text
    parent = created.json()
    assert parent["option_names"] == ["size", "colour"]
    assert [(v["options"], v["price"], v["in_stock"]) for v in parent["variants"]] == [
        ({"size": "8", "colour": "Red"}, "40.00", True),
        ({"size": "9", "colour": "Red"}, "42.00", True),
    ]
    added = api.post(
        f"/api/products/{parent['product_id']}/variants",
        json={"options": {"size": "10", "colour": "Red"}, "price": "44.00", "stock": 2},
        headers=seller_headers,
    )
    assert added.status_code == 201, added.text
    variant = added.json()
    assert (variant["parent_id"], variant["options"]) == (
        parent["product_id"], {"size": "10", "colour": "Red"},
    )  # fmt: skip
    assert len(variant["variants"]) == 3
    shown = api.get(f"/api/products/{variant['product_id']}").json()
    assert shown["variants"] == variant["variants"]


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"options": ["size"], "variants": []}, 422, "invalid_request", "variants"),
        ({"variants": [{"options": {"size": "8"}}]}, 422, "invalid_request", "variants.0.price"),
        ({"options": ["size", " "]}, 422, "invalid_request", "options.1"),
        ({"options": ["size"]}, 422, "invalid_options", "variants.0.options"),
        ({"options": ["size", "size"]}, 422, "invalid_options", "options"),
        ({"initial_stock": 4}, 422, "invalid_product", "initial_stock"),
        ({"variants": [{"options": {"size": "8", "colour": "Red"}, "price": "1"}] * 2},
         409, "variant_exists", "variants.1.options"),
        ({"variants": [{"options": {"size": "8", "colour": ""}, "price": "1"}]},
         422, "invalid_request", "variants.0.options.colour"),
    ],
)  # fmt: skip
def test_http_bad_families_name_the_field(api, seller_headers, change, status, code, field):  # noqa: F811, E501
    answer = api.post("/api/products", json={**FAMILY, **change}, headers=seller_headers)
    assert answer.status_code == status, answer.text
    assert (answer.json()["error"]["code"], answer.json()["error"]["field"]) == (code, field)


def test_http_a_parent_is_409_in_a_cart_and_an_unknown_variant_404(api, seller_headers):  # noqa: F811, E501
    parent = api.post("/api/products", json=FAMILY, headers=seller_headers).json()
    _, tokens = sign_up(api, "Cy Customer", "cy@example.com")
    buyer = as_user(tokens["access_token"])
    carted = api.post(
        "/api/cart/items", json={"product_id": parent["product_id"], "quantity": 1}, headers=buyer
    )
    assert carted.status_code == 409, carted.text
    assert (carted.json()["error"]["code"], carted.json()["error"]["field"]) == (
        "product_has_variants",
        "product_id",
    )
    unknown = api.post(
        "/api/cart/items", json={"product_id": "p-nothing", "quantity": 1}, headers=buyer
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "product_not_found")
    ordered = api.post("/api/orders", json={"card_number": APPROVE_CARD}, headers=buyer)
    assert ordered.status_code == 409  # nothing went into the cart
    missing = api.post(
        "/api/products/p-nothing/variants",
        json={"options": {"size": "1", "colour": "Red"}, "price": "1"},
        headers=seller_headers,
    )
    assert (missing.status_code, missing.json()["error"]["field"]) == (404, "product_id")


def test_http_only_the_parents_seller_adds_variants(api, seller_headers):  # noqa: F811
    parent = api.post("/api/products", json=FAMILY, headers=seller_headers).json()
    _, tokens = sign_up(api, "Rita Rival", "rita@example.com", "seller")
    new = {"options": {"size": "11", "colour": "Red"}, "price": "1"}
    url = f"/api/products/{parent['product_id']}/variants"
    theirs = api.post(url, json=new, headers=as_user(tokens["access_token"]))
    assert (theirs.status_code, theirs.json()["error"]["code"]) == (403, "not_product_owner")
    _, bought = sign_up(api, "Cy Customer", "cy@example.com")
    customer = api.post(url, json=new, headers=as_user(bought["access_token"]))
    assert customer.status_code == 403
    variant_id = parent["variants"][0]["product_id"]
    nested = api.post(f"/api/products/{variant_id}/variants", json=new, headers=seller_headers)
    assert (nested.status_code, error_of(nested)["code"], error_of(nested)["field"]) == (
        409, "not_a_parent", "parent_id",
    )  # fmt: skip
    bad = api.post(url, json={**new, "options": {"size": "11"}}, headers=seller_headers)
    assert (bad.status_code, bad.json()["error"]["code"], bad.json()["error"]["field"]) == (
        422, "invalid_options", "options",
    )  # fmt: skip


def test_a_variant_changes_alone_and_its_events_still_name_its_family(store, seller, outbox_rows):
    parent_id = family(store, seller)
    by_size = {v.options["size"]: v for v in store.catalog.get_product(parent_id).variants or []}
    store.catalog.update_product(by_size["10"].product_id, seller, price=Decimal("30.00"))
    parent = store.catalog.get_product(parent_id)
    prices = {v.options["size"]: v.price for v in parent.variants or []}
    assert prices == {"8": Decimal("40.00"), "9": Decimal("42.00"), "10": Decimal("30.00")}
    assert parent.price == Decimal("30.00")  # the cheapest in stock now
    updated = [r["payload"] for r in outbox_rows(store) if r["type"] == events.PRODUCT_UPDATED]
    assert (updated[-1]["parent_id"], updated[-1]["options"]) == (
        parent_id, {"size": "10", "colour": "Red"},
    )  # fmt: skip
    assert events.unknown_keys(events.PRODUCT_UPDATED, updated[-1]) == []


def test_a_parents_edits_of_what_the_family_shares_reach_its_variants_with_their_events(
    store, seller, outbox_rows
):
    parent_id = family(store, seller)
    variants = store.catalog.get_product(parent_id).variants or []
    eight, nine, ten = (v.product_id for v in variants)
    store.catalog.update_product(nine, seller, title="Trail runner wide fit, 9, Red")  # its own
    before = len(outbox_rows(store))
    store.catalog.update_product(
        parent_id, seller, title="Trail runner II", brand="Bolt", category="Shoes > Trail"
    )
    shown = {v: store.catalog.get_product(v) for v in (eight, nine, ten)}
    assert {(p.brand, p.category) for p in shown.values()} == {("Bolt", "Shoes > Trail")}
    assert shown[eight].title == "Trail runner II, 8, Red"  # the title given by default follows
    assert shown[nine].title == "Trail runner wide fit, 9, Red"  # a title of its own stays
    assert shown[ten].price == Decimal("42.00")  # a variant's own price is its own
    events_after = outbox_rows(store)[before:]
    updated = [r["payload"] for r in events_after if r["type"] == events.PRODUCT_UPDATED]
    assert [p["product_id"] for p in updated] == [parent_id, eight, nine, ten]  # one commit
    assert {(p["brand"], p["category"]) for p in updated} == {("Bolt", "Shoes > Trail")}
    store.catalog.update_product(parent_id, seller, rating=4.0)  # nothing the family shares
    assert len(outbox_rows(store)) == before + 5


def test_checkout_refuses_a_parent_whatever_put_it_in_the_cart(
    store, seller, customer, make_product
):
    product_id = make_product()
    store.cart.add_item(customer, product_id, 1)
    with store.engine.begin() as connection:  # a line from before it became a parent
        connection.execute(
            text("UPDATE products SET option_names = '[\"size\"]' WHERE product_id = :p"),
            {"p": product_id},
        )
    with pytest.raises(ProductHasVariants):
        store.orders.checkout(customer, APPROVE_CARD)
    assert store.inventory.stock_level(product_id) == 10  # nothing taken
