"""Seeded catalog generator: real-looking listings (title, description, brand, price, stock).

Each product also carries its hidden latent quality and the terms the hidden truth matches
queries against; neither is ever sent to the store. Some listings whose type comes in sizes or
styles are families (catalog.variants): one product whose variants differ in size or style, and
some also in colour; each variant is a product of the catalog, as every SKU is in the store.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field, replace
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
FAMILY_SHARE = 0.25  # of the listings whose type comes in sizes or styles: sold as a family
SECOND_COLOUR_SHARE = 0.4  # of the families: also offered in a second colour
MAX_SIZES = 3  # sizes or styles of one family
SIZE_PRICE_STEP = 0.06  # each larger size or later style costs this much more


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
    # catalog.variants: the parent's product id and title, and this variant's option values in
    # the family's option order; all empty for a standalone product
    family_id: str = ""
    family_title: str = ""
    options: tuple[tuple[str, str], ...] = ()
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
    """The same (n_products, seed) always gives the same catalog of `n_products` SKUs: standalone
    products and the variants of families, a family's variants next to each other."""
    rng = np.random.default_rng([seed, 1])
    # families draw from a stream of their own: each listing's own draws stay those of `rng`
    family_rng = np.random.default_rng([seed, 2])
    sellers = generate_sellers(n_products, seed)
    leaf_weights = rng.dirichlet(np.full(len(CATEGORIES), 6.0))
    brand_quality = dict(zip(ALL_BRANDS, rng.normal(0, 0.5, len(ALL_BRANDS)), strict=True))
    brand_premium = dict(zip(ALL_BRANDS, rng.lognormal(0, 0.25, len(ALL_BRANDS)), strict=True))
    leaves = rng.choice(len(CATEGORIES), size=n_products, p=leaf_weights)
    catalog: list[ProductSpec] = []
    for listing in range(n_products):
        left = n_products - len(catalog)
        if left == 0:
            break
        base = _product(len(catalog), CATEGORIES[leaves[listing]], sellers, brand_quality,
                        brand_premium, rng)  # fmt: skip
        catalog.extend(_family(base, listing, left, family_rng))
    return catalog


def families(catalog: list[ProductSpec]) -> dict[str, list[ProductSpec]]:
    """Each family's variants by its parent's id, in catalog order."""
    grouped: dict[str, list[ProductSpec]] = {}
    for spec in catalog:
        if spec.family_id:
            grouped.setdefault(spec.family_id, []).append(spec)
    return grouped


def option_names(spec: ProductSpec) -> list[str]:
    return [name for name, _ in spec.options]


def options_json(spec: ProductSpec) -> str:
    """The option values as saved with the hidden truth: a JSON array of [name, value] pairs."""
    return json.dumps([list(pair) for pair in spec.options])


def options_from_json(text: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((str(name), str(value)) for name, value in json.loads(text or "[]"))


@lru_cache(maxsize=64)
def _zipf_cumulative(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** 0.8
    return np.cumsum(weights / weights.sum())


def _zipf_index(n: int, u: float) -> int:
    return min(n - 1, int(np.searchsorted(_zipf_cumulative(n), u)))


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


@dataclass(frozen=True)
class _Listing:
    """What a listing's title is made of, and the rest of its draws."""

    spec: ProductSpec
    head: str
    feature: str
    variant: str
    leaf: LeafCategory
    ptype: ProductType
    adjective: str
    alias: str
    benefit: str


def _product(n, leaf, sellers, brand_quality, brand_premium, rng) -> _Listing:
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
    alias = _pick(rng, ptype.synonyms) if ptype.synonyms and rng.random() < 0.5 else ptype.name
    benefit = _pick(rng, _BENEFITS)
    quality = float(brand_quality[brand] + rng.normal(0, 0.7))
    price = (
        leaf.median_price
        * brand_premium[brand]
        * np.exp(leaf.price_sigma * rng.normal() + 0.12 * quality)
    )
    new_listing = rng.random() < 0.05
    rating = 0.0 if new_listing else min(5.0, max(1.0, 3.9 + 0.45 * quality + rng.normal(0, 0.25)))
    count = 0 if new_listing else 1 + int(rng.lognormal(3.5, 1.3))
    stock = _initial_stock(rng)
    home = [s.index for s in sellers if s.home_category == leaf.path.split(" > ")[0]]
    seller = (
        home[int(rng.integers(len(home)))]
        if home and rng.random() < 0.85
        else int(rng.integers(len(sellers)))
    )
    product_id = _sku(n)
    spec = ProductSpec(
        product_id=product_id,
        seller_index=seller,
        title=_title(" ".join(head), feature, variant, colour),
        description=_description(
            brand, ptype, material, feature, adjective, alias, benefit, colour
        ),  # fmt: skip
        brand=brand,
        category=leaf.path,
        product_type=ptype.name,
        colour=colour,
        material=material,
        price=_money(price),
        rating=round(rating, 1),
        rating_count=count,
        initial_stock=stock,
        quality=quality,
        median_price=leaf.median_price,
        image_url=f"https://img.example.com/{product_id}.jpg",
    )
    listing = _Listing(with_terms(spec, ptype.synonyms), " ".join(head), feature, variant, leaf,
                       ptype, adjective, alias, benefit)  # fmt: skip
    return listing


def _family(base: _Listing, listing: int, room: int, rng: np.random.Generator) -> list[ProductSpec]:
    """The listing as one standalone product, or as a family of at most `room` variants that
    differ in size or style (the listing's among them) and sometimes in colour."""
    ptype, spec = base.ptype, base.spec
    if len(ptype.variants) < 2 or room < 2 or rng.random() >= FAMILY_SHARE:
        return [spec]
    others = [v for v in ptype.variants if v != base.variant]
    count = int(rng.integers(2, min(MAX_SIZES, len(ptype.variants)) + 1))
    picked = {base.variant, *rng.choice(others, size=count - 1, replace=False).tolist()}
    sizes = [v for v in ptype.variants if v in picked]  # the taxonomy's order: small to large
    colours = [spec.colour]
    other_colours = [c for c in base.leaf.colours if c != spec.colour]
    if other_colours and rng.random() < SECOND_COLOUR_SHARE:
        colours.append(_pick(rng, tuple(other_colours)))
    combos = list(itertools.product(range(len(sizes)), colours))[:room]
    if len(combos) < 2:
        return [spec]
    number = int(spec.product_id.removeprefix("p-"))
    family_id = f"f-{listing + 1:06d}"
    size_name = "size" if all(v.startswith("Size ") for v in sizes) else "style"
    variants = []
    for offset, (size_index, colour) in enumerate(combos):
        size = sizes[size_index]
        options: tuple[tuple[str, str], ...] = ((size_name, size.removeprefix("Size ")),)
        if len(colours) > 1:
            options += (("colour", colour),)
        product_id = _sku(number - 1 + offset)
        variant = replace(
            spec,
            product_id=product_id,
            title=_title(base.head, base.feature, size, colour),
            description=_description(
                spec.brand,
                ptype,
                spec.material,
                base.feature,
                base.adjective,
                base.alias,
                base.benefit,
                "" if len(colours) > 1 else colour,
            ),  # fmt: skip
            colour=colour,
            price=_money(float(spec.price) * (1 + SIZE_PRICE_STEP * size_index)),
            initial_stock=spec.initial_stock if offset == 0 else _initial_stock(rng),
            image_url=f"https://img.example.com/{product_id}.jpg",
            family_id=family_id,
            family_title=_title(base.head, base.feature, "", "" if len(colours) > 1 else colour),
            options=options,
        )
        variants.append(with_terms(variant, ptype.synonyms))
    return variants


def _sku(n: int) -> str:
    return f"p-{n + 1:06d}"


def _title(head: str, feature: str, variant: str, colour: str) -> str:
    return ", ".join(p for p in (head, feature, variant, colour) if p)


def _description(brand, ptype, material, feature, adjective, alias, benefit, colour) -> str:
    said = (
        f"The {brand} {ptype.name.lower()} is made of {material.lower()} with "
        f"{feature.lower()}. A {adjective.lower()} {alias.lower()} that {benefit}."
    )
    return f"{said} Colour: {colour.lower()}." if colour else said


def _money(amount: float) -> Decimal:
    return Decimal(str(max(amount, 1.0))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _initial_stock(rng: np.random.Generator) -> int:
    # about one listing in ten is nearly sold out, so stock-outs happen during a simulated week
    return int(rng.integers(1, 4)) if rng.random() < 0.1 else int(rng.lognormal(np.log(40), 0.6))
