"""A product with variants in the storefront, without a browser: the parent's page lists its
variants and sells none itself; a variant's page lists its siblings and sells that variant."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from storefront.app import MOUNT, create_storefront
from storeloop.settings import Settings
from transactional.gateway.app import create_app

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"


def test_a_parent_page_lists_variants_and_a_variant_page_sells_one(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9))
    app.mount(MOUNT, create_storefront(app, "a secret for tests"))
    with TestClient(app, headers={"user-agent": BROWSER}) as browser:
        store = app.state.store
        seller = store.users.register("Sam Seller", "sam@example.com", "seller")
        parent = store.catalog.create_product(
            seller, "Trail runner", "", "Acme", "Shoes", None, options=["size", "colour"],
            variants=[
                {"options": {"size": "8", "colour": "Red"}, "price": Decimal("40"), "stock": 2},
                {"options": {"size": "9", "colour": "Red"}, "price": Decimal("42"), "stock": 0},
            ],
        )  # fmt: skip
        eight, nine = (v.product_id for v in store.catalog.get_product(parent).variants or [])
        family = browser.get(f"/shop/products/{parent}")
        assert family.status_code == 200
        assert f'href="/shop/products/{eight}">8, Red · $40.00</a>' in family.text
        assert "9, Red · $42.00 · out of stock" in family.text
        assert "Add to cart" not in family.text
        variant = browser.get(f"/shop/products/{eight}")
        assert '<strong aria-current="page">8, Red · $40.00</strong>' in variant.text
        assert f'href="/shop/products/{nine}"' in variant.text
        assert "Add to cart" in variant.text
