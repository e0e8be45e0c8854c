"""The hidden truth: how relevant a product really is to a shopper's query (graded 0..3), and taste.

The query match dominates the grade; the shopper's taste (category, brand, price, quality) moves
it one step up or down. Evaluators call `true_relevance`; the behaviour model uses both.
"""

from __future__ import annotations

import math
from functools import lru_cache

from simulation.catalog import ProductSpec
from simulation.shoppers import Shopper
from simulation.taxonomy import CATEGORIES
from simulation.text import ParsedQuery, fuzzy_in, parse_query, tokens

_GENERIC_HEADS = frozenset({"set", "kit", "pack"})


def _head(words: list[str]) -> str:
    """The noun a product type is named by: 'Running Shoes' -> 'shoe', 'Knife Set' -> 'knife'."""
    for word in reversed(words):
        if word not in _GENERIC_HEADS:
            return word
    return words[-1]


TYPE_HEADS = frozenset(
    _head(tokens(name))
    for leaf in CATEGORIES
    for ptype in leaf.types
    for name in (ptype.name, *ptype.synonyms)
)


@lru_cache(maxsize=65536)
def parsed(query: str) -> ParsedQuery:
    return parse_query(query)


@lru_cache(maxsize=65536)
def query_head(query: str) -> str | None:
    """The last query word naming a product type ('red running shoes' -> 'shoe'), if any."""
    for word in reversed(parsed(query).words):
        if fuzzy_in(word, TYPE_HEADS):
            return word
    return None


def taste_score(shopper: Shopper | None, product: ProductSpec) -> float:
    """How much this shopper likes this product regardless of the query; about 0 is indifferent.

    Without a shopper (held-out judgments) only quality and price matter.
    """
    price_ratio = math.log(float(product.price) / product.median_price)
    if shopper is None:
        return 0.6 * product.quality - 0.4 * price_ratio
    lift = shopper.category_pref(product.category) * len(CATEGORIES)  # 1.0 is indifferent
    category = max(-2.0, min(2.0, math.log(lift)))
    return (
        0.5 * category
        + 0.5 * shopper.brand_pref(product.brand)
        + 0.9 * shopper.quality_sensitivity * product.quality
        - 1.5 * shopper.price_sensitivity * price_ratio
    )


def query_match(product: ProductSpec, query: str) -> int:
    """The grade the words alone earn: 2 exact, 1 partial or a neighbour type, 0 unrelated."""
    words = parsed(query).words
    if not words:
        return 0
    matched = sum(fuzzy_in(w, product.terms) for w in words) / len(words)
    head = query_head(query)
    if head is not None:
        if fuzzy_in(head, product.type_terms):
            return 2 if matched == 1.0 else 1
        if fuzzy_in(head, product.category_terms):  # asked for shoes, this is a boot
            return 1 if matched == 1.0 else 0
        return 0
    return 2 if matched == 1.0 else 1 if matched >= 0.5 else 0


def true_relevance(shopper: Shopper | None, product: ProductSpec, query: str) -> int:
    """Graded relevance 0..3 of `product` for `shopper` typing `query`."""
    grade = query_match(product, query)
    cap = parsed(query).price_cap
    if cap is not None and product.price > cap:
        grade = max(0, grade - 1)
    if grade == 0:
        return 0
    taste = taste_score(shopper, product)
    if grade == 2:
        return 3 if taste > 0.6 else 1 if taste < -1.2 else 2
    return 2 if taste > 1.5 else 1


def utility(shopper: Shopper, product: ProductSpec, query: str) -> float:
    """What the shopper expects to gain from buying it: taste, minus a penalty over budget."""
    cap = parsed(query).price_cap
    over_budget = cap is not None and product.price > cap
    return taste_score(shopper, product) - (1.5 if over_budget else 0.0)
