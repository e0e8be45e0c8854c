"""The catalog generator: deterministic, the requested size, fields a real store would accept."""

from __future__ import annotations

from decimal import Decimal

from simulation.catalog import families, generate_catalog
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


def test_some_listings_are_families_of_variants_that_differ_only_in_their_options() -> None:
    catalog = generate_catalog(600, 4)
    grouped = families(catalog)
    assert grouped and sum(map(len, grouped.values())) < len(catalog)  # standalone ones too
    assert any(
        len({value for name, value in v[0].options if name == "colour"}) for v in grouped.values()
    )
    for family_id, variants in grouped.items():
        first = variants[0]
        assert len(variants) >= 2 and family_id.startswith("f-")
        names = [[name for name, _ in v.options] for v in variants]
        assert all(n == names[0] for n in names) and names[0][0] in ("size", "style")
        assert len({v.options for v in variants}) == len(variants)  # no two alike
        # one product: the same maker, listing, quality and reviews; its own price and stock
        same = {
            (v.seller_index, v.brand, v.category, v.product_type, v.material, v.quality)
            + (v.rating, v.rating_count, v.family_title, v.description)
            for v in variants
        }
        assert len(same) == 1
        assert all(v.title.startswith(first.family_title.split(", ")[0]) for v in variants)
        for v in variants:
            assert all(value in v.title for _, value in v.options)
            assert v.initial_stock >= 1 and v.price > 0
        # the rows of one family sit together, in catalog order
        positions = [catalog.index(v) for v in variants]
        assert positions == list(range(positions[0], positions[0] + len(variants)))


def test_a_larger_size_never_costs_less() -> None:
    for variants in families(generate_catalog(600, 4)).values():
        by_colour: dict[str, list] = {}
        for v in variants:
            by_colour.setdefault(v.colour, []).append(v.price)
        assert all(prices == sorted(prices) for prices in by_colour.values())
