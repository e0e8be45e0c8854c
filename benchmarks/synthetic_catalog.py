"""The synthetic shop's catalog and people: products by product type (simulation.taxonomy), sellers,
customers, and the catalog events that list them, as column arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks import lake_json as J
from simulation.taxonomy import CATEGORIES

PRODUCTS_PER_SELLER = 20  # what a small `make up` run lists: 400 products, 20 sellers


@dataclass(frozen=True)
class Vocabulary:
    """Flat word lists with, per product type, where its words start and how many it has."""

    words: pa.Array
    start: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, per_kind: list[tuple[str, ...]]) -> Vocabulary:
        lists = [words or ("",) for words in per_kind]
        count = np.array([len(words) for words in lists])
        start = np.concatenate([[0], np.cumsum(count)[:-1]])
        return cls(pa.array([w for words in lists for w in words]), start, count)

    def pick(self, rng: np.random.Generator, kinds: np.ndarray) -> pa.Array:
        chosen = self.start[kinds] + (rng.random(len(kinds)) * self.count[kinds]).astype(np.int64)
        return self.words.take(pa.array(chosen))


def _kinds() -> list[tuple]:
    return [(leaf, kind) for leaf in CATEGORIES for kind in leaf.types]


KINDS = _kinds()
QUERIES = Vocabulary.of([(kind.name.lower(), *kind.synonyms) for _, kind in KINDS])


@dataclass
class Catalog:
    """Products are numbered in blocks of one product type each, so a search for a type draws
    its results from its block; prices change, stock moves, the arrays follow."""

    kind: np.ndarray  # product type of product p (index p - 1)
    block_start: np.ndarray  # first product index of each type
    block_size: np.ndarray
    price_cents: np.ndarray
    stock: np.ndarray
    seller: np.ndarray
    fields: dict[str, pa.Array]  # the snapshot's text columns, price and dates aside
    sellers: int
    customers: int

    @property
    def size(self) -> int:
        return len(self.kind)


def build_catalog(rng: np.random.Generator, products: int, customers: int) -> Catalog:
    weights = rng.uniform(0.5, 1.5, len(KINDS))
    kind = np.sort(rng.choice(len(KINDS), size=products, p=weights / weights.sum()))
    size = np.bincount(kind, minlength=len(KINDS))
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    median = np.array([leaf.median_price for leaf, _ in KINDS])[kind]
    sigma = np.array([leaf.price_sigma for leaf, _ in KINDS])[kind]
    cents = np.maximum(99, (median * np.exp(rng.normal(0, sigma)) * 100).astype(np.int64))
    sellers = max(1, products // PRODUCTS_PER_SELLER)
    return Catalog(
        kind=kind,
        block_start=start,
        block_size=size,
        price_cents=cents,
        stock=rng.integers(20, 200, products),
        seller=rng.integers(1, sellers + 1, products),
        fields=_text_fields(rng, kind),
        sellers=sellers,
        customers=customers,
    )


def _text_fields(rng: np.random.Generator, kind: np.ndarray) -> dict[str, pa.Array]:
    def vocab(attribute: str) -> pa.Array:
        return Vocabulary.of([getattr(leaf, attribute) for leaf, _ in KINDS]).pick(rng, kind)

    type_name = pa.array([k.name for _, k in KINDS]).take(pa.array(kind))
    variant = Vocabulary.of([k.variants for _, k in KINDS]).pick(rng, kind)
    brand, colour, material = vocab("brands"), vocab("colours"), vocab("materials")
    title = pc.binary_join_element_wise(brand, vocab("adjectives"), type_name, " ")
    description = pc.binary_join_element_wise(
        "The ", brand, " ", pc.utf8_lower(type_name), " is made of ", pc.utf8_lower(material),
        " with ", pc.utf8_lower(vocab("features")), ". Colour: ", colour, ".", "",
    )  # fmt: skip
    numbers = np.arange(1, len(kind) + 1)
    return {
        "product_id": J.numbered("p", numbers),
        "title": pc.if_else(
            pc.equal(variant, ""),
            pc.binary_join_element_wise(title, colour, ", "),
            pc.binary_join_element_wise(title, variant, colour, ", "),
        ),
        "description": description,
        "brand": brand,
        "category": pa.array([leaf.path for leaf, _ in KINDS]).take(pa.array(kind)),
        "image_url": pc.binary_join_element_wise(
            "https://img.example.com/", J.numbered("p", numbers), ".jpg", ""
        ),
        "rating_tenths": pa.array(rng.integers(10, 51, len(kind))),
        "rating_count": pa.array(rng.integers(0, 2000, len(kind))),
    }


def product_payloads(
    catalog: Catalog, index: np.ndarray, created: int, updated: int | np.ndarray
) -> pa.Array:
    """Full snapshots (ProductCreated, ProductUpdated) of the products at `index` (0-based);
    instants in micros, `updated` one per product or one for all."""
    take = pa.array(index)
    f = {name: column.take(take) for name, column in catalog.fields.items()}
    n = len(index)
    return J.obj(
        product_id=J.text(f["product_id"]),
        seller_id=J.text(J.numbered("s", catalog.seller[index])),
        title=J.text(f["title"]),
        description=J.text(f["description"]),
        brand=J.text(f["brand"]),
        category=J.text(f["category"]),
        price=J.text(J.decimal(catalog.price_cents[index], 2)),
        currency='"USD"',
        rating=J.decimal(np.asarray(f["rating_tenths"]), 1),
        rating_count=J.number(f["rating_count"]),
        image_url=J.text(f["image_url"]),
        created_at=J.text(J.instants(np.full(n, created))),
        updated_at=J.text(J.instants(np.broadcast_to(updated, n))),
    )


def registration_payloads(prefix: str, role: str, numbers: np.ndarray, at: int) -> pa.Array:
    ids = J.numbered(prefix, numbers)
    domain = "sellers.example.com" if role == "seller" else "shoppers.example.com"
    return J.obj(
        customer_id=J.text(ids),
        name=J.text(pc.binary_join_element_wise(f"{role.capitalize()} ", ids, "")),
        email=J.text(pc.binary_join_element_wise(ids, f"@{domain}", "")),
        role=f'"{role}"',
        registered_at=J.text(J.instants(np.full(len(numbers), at))),
    )


def stock_payloads(product: np.ndarray, quantity: np.ndarray, delta: np.ndarray, reason: pa.Array):
    return J.obj(
        product_id=J.text(J.numbered("p", product + 1)),
        quantity=J.number(quantity),
        delta=J.number(delta),
        reason=J.text(reason),
    )
