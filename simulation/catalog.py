"""Seeded catalog generator: real-looking listings (title, description, brand, price, stock).

Each product also carries its hidden latent quality and the terms the hidden truth matches
queries against; neither is ever sent to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np

from simulation.sellers import generate_sellers
from simulation.taxonomy import ALL_BRANDS, CATEGORIES, LeafCategory, ProductType
from simulation.text import tokens

_BENEFITS = (
    "holds up to everyday use",
    "makes a thoughtful gift",
    "is built to last",
    "is easy to care for",
    "packs away in seconds",
    "looks good anywhere",
)


@dataclass(frozen=True)
class ProductSpec:
    product_id: str
    seller_index: int
    title: str
    description: str
    brand: str
    category: str
    product_type: str
    colour: str
    material: str
    price: Decimal
    rating: float
    rating_count: int
    initial_stock: int
    quality: float  # hidden: what the rating is a noisy view of
    median_price: float  # of the category: what "expensive" means here
    image_url: str = ""
    terms: frozenset[str] = field(default=frozenset(), compare=False)
    type_terms: frozenset[str] = field(default=frozenset(), compare=False)
    category_terms: frozenset[str] = field(default=frozenset(), compare=False)


def with_terms(spec: ProductSpec, synonyms: tuple[str, ...]) -> ProductSpec:
    """Attach the words the hidden truth matches on: title, brand, category, type synonyms, and
    the colour and material the product really has even where the title does not say so."""
    type_terms = frozenset(tokens(" ".join((spec.product_type, *synonyms))))
    category_terms = frozenset(tokens(spec.category.replace(">", " "))) | frozenset(
        tokens(" ".join(_leaf(spec.category).query_words))
    )
    words = f"{spec.title} {spec.brand} {spec.colour} {spec.material}"
    terms = frozenset(tokens(words)) | type_terms | category_terms
    return ProductSpec(
        **{
            **spec.__dict__,
            "terms": terms,
            "type_terms": type_terms,
            "category_terms": category_terms,
        }
    )


def _leaf(path: str) -> LeafCategory:
    return next(c for c in CATEGORIES if c.path == path)


def product_type(spec: ProductSpec) -> ProductType:
    return next(t for t in _leaf(spec.category).types if t.name == spec.product_type)


def generate_catalog(n_products: int, seed: int) -> list[ProductSpec]:
    """The same (n_products, seed) always gives the same catalog."""
    rng = np.random.default_rng([seed, 1])
    sellers = generate_sellers(n_products, seed)
    leaf_weights = rng.dirichlet(np.full(len(CATEGORIES), 6.0))
    brand_quality = dict(zip(ALL_BRANDS, rng.normal(0, 0.5, len(ALL_BRANDS)), strict=True))
    brand_premium = dict(zip(ALL_BRANDS, rng.lognormal(0, 0.25, len(ALL_BRANDS)), strict=True))
    leaves = rng.choice(len(CATEGORIES), size=n_products, p=leaf_weights)
    return [
        _product(i, CATEGORIES[leaves[i]], sellers, brand_quality, brand_premium, rng)
        for i in range(n_products)
    ]


@lru_cache(maxsize=64)
def _zipf_cumulative(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** 0.8
    return np.cumsum(weights / weights.sum())


def _zipf_index(n: int, u: float) -> int:
    return min(n - 1, int(np.searchsorted(_zipf_cumulative(n), u)))


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _product(i, leaf, sellers, brand_quality, brand_premium, rng) -> ProductSpec:
    ptype = leaf.types[int(rng.integers(len(leaf.types)))]
    # a few brands dominate each category, as on real marketplaces
    brand = leaf.brands[_zipf_index(len(leaf.brands), rng.random())]
    adjective, feature = _pick(rng, leaf.adjectives), _pick(rng, leaf.features)
    material, colour = _pick(rng, leaf.materials), _pick(rng, leaf.colours)
    variant = _pick(rng, ptype.variants) if ptype.variants else ""
    head = [brand]
    if rng.random() < 0.75:
        head.append(adjective)
    if rng.random() < 0.4:
        head.append(material)
    head.append(ptype.name)
    title = ", ".join(p for p in (" ".join(head), feature, variant, colour) if p)
    alias = _pick(rng, ptype.synonyms) if ptype.synonyms and rng.random() < 0.5 else ptype.name
    description = (
        f"The {brand} {ptype.name.lower()} is made of {material.lower()} with "
        f"{feature.lower()}. A {adjective.lower()} {alias.lower()} that "
        f"{_pick(rng, _BENEFITS)}. Colour: {colour.lower()}."
    )
    quality = float(brand_quality[brand] + rng.normal(0, 0.7))
    price = (
        leaf.median_price
        * brand_premium[brand]
        * np.exp(leaf.price_sigma * rng.normal() + 0.12 * quality)
    )
    new_listing = rng.random() < 0.05
    rating = 0.0 if new_listing else min(5.0, max(1.0, 3.9 + 0.45 * quality + rng.normal(0, 0.25)))
    count = 0 if new_listing else 1 + int(rng.lognormal(3.5, 1.3))
    # about one listing in ten is nearly sold out, so stock-outs happen during a simulated week
    stock = int(rng.integers(1, 4)) if rng.random() < 0.1 else int(rng.lognormal(np.log(40), 0.6))
    home = [s.index for s in sellers if s.home_category == leaf.path.split(" > ")[0]]
    seller = (
        home[int(rng.integers(len(home)))]
        if home and rng.random() < 0.85
        else int(rng.integers(len(sellers)))
    )
    product_id = f"p-{i + 1:06d}"
    spec = ProductSpec(
        product_id=product_id,
        seller_index=seller,
        title=title,
        description=description,
        brand=brand,
        category=leaf.path,
        product_type=ptype.name,
        colour=colour,
        material=material,
        price=Decimal(str(max(price, 1.0))).quantize(Decimal("0.01"), ROUND_HALF_UP),
        rating=round(rating, 1),
        rating_count=count,
        initial_stock=stock,
        quality=quality,
        median_price=leaf.median_price,
        image_url=f"https://img.example.com/{product_id}.jpg",
    )
    return with_terms(spec, ptype.synonyms)
