"""The catalog generator: deterministic, the requested size, fields a real store would accept."""

from __future__ import annotations

from decimal import Decimal

from simulation.catalog import generate_catalog
from simulation.sellers import generate_sellers
from simulation.taxonomy import CATEGORIES


def test_same_seed_same_catalog_other_seed_other_catalog() -> None:
    first, again, other = (
        generate_catalog(300, 5),
        generate_catalog(300, 5),
        generate_catalog(300, 6),
    )
    assert first == again
    assert [p.title for p in first] != [p.title for p in other]


def test_catalog_has_requested_size_and_unique_ids() -> None:
    catalog = generate_catalog(250, 1)
    assert len(catalog) == 250
    assert len({p.product_id for p in catalog}) == 250
    assert catalog[0].product_id == "p-000001"


def test_fields_look_like_real_listings() -> None:
    catalog = generate_catalog(400, 3)
    leaves = {c.path for c in CATEGORIES}
    sellers = generate_sellers(400, 3)
    for product in catalog:
        assert isinstance(product.price, Decimal) and product.price > 0
        assert product.price == product.price.quantize(Decimal("0.01"))
        assert product.category in leaves
        assert product.brand in product.title
        assert product.product_type in product.title
        assert 0 <= product.rating <= 5 and round(product.rating, 1) == product.rating
        assert (product.rating == 0) == (product.rating_count == 0)
        assert product.initial_stock >= 1
        assert 0 <= product.seller_index < len(sellers)
    assert len({p.category for p in catalog}) >= 12
    # some listings are nearly sold out, so stock-outs can happen
    assert sum(p.initial_stock <= 3 for p in catalog) >= 10


def test_prices_differ_by_category() -> None:
    catalog = generate_catalog(2000, 2)

    def median(category: str) -> float:
        prices = sorted(float(p.price) for p in catalog if p.category == category)
        return prices[len(prices) // 2]

    assert median("Electronics > Computers") > 2 * median("Beauty > Skin Care")
