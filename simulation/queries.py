"""How a shopper turns an intent into words: product types or their synonyms, brands, attributes,
category names, the odd price phrase ("under 50") and the odd typo (about 8% of queries).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.shoppers import BRAND_INDEX, Shopper
from simulation.taxonomy import CATEGORIES, LeafCategory, ProductType
from simulation.text import MIN_TYPO_LENGTH

TYPO_RATE = 0.08
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Intent:
    category: LeafCategory
    product_type: ProductType | None  # None: browsing the whole category
    brand: str | None = None
    attribute: str | None = None  # a colour, material or adjective the shopper wants
    price_cap: int | None = None


def choose_intent(shopper: Shopper | None, rng: np.random.Generator) -> Intent:
    """What the shopper is after today; without a shopper, a uniformly random need."""
    if shopper is None:
        leaf = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
    else:
        leaf = CATEGORIES[int(rng.choice(len(CATEGORIES), p=shopper.category_prefs))]
    if rng.random() < 0.1:
        return Intent(category=leaf, product_type=None)
    ptype = leaf.types[int(rng.integers(len(leaf.types)))]
    brand = attribute = cap = None
    if rng.random() < 0.3:
        brand = _favourite_brand(shopper, leaf, rng)
    roll = rng.random()
    if roll < 0.15:
        attribute = _pick(rng, leaf.colours)
    elif roll < 0.25:
        attribute = _pick(rng, leaf.materials)
    elif roll < 0.35:
        attribute = _pick(rng, leaf.adjectives)
    if rng.random() < 0.1:
        # round budgets, near what the category costs
        cap = int(max(10, round(leaf.median_price * rng.uniform(0.7, 1.6) / 10) * 10))
    return Intent(leaf, ptype, brand, attribute, cap)


def _favourite_brand(shopper: Shopper | None, leaf: LeafCategory, rng) -> str:
    if shopper is None:
        return _pick(rng, leaf.brands)
    affinity = np.array([shopper.brand_affinity[BRAND_INDEX[b]] for b in leaf.brands])
    weights = np.exp(2.0 * affinity)
    return leaf.brands[int(rng.choice(len(leaf.brands), p=weights / weights.sum()))]


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def write_query(intent: Intent, rng: np.random.Generator) -> str:
    """The text typed in the search box for this intent."""
    return as_typed(clean_query(intent, rng), rng)


def clean_query(intent: Intent, rng: np.random.Generator) -> str:
    """The words the shopper has in mind for this intent, before any slip of the finger: what
    the hidden truth grades other lists (the home page's feed) against for this session."""
    if intent.product_type is None:
        words = [_pick(rng, intent.category.query_words)]
    else:
        ptype = intent.product_type
        use_synonym = ptype.synonyms and rng.random() < 0.35
        words = [_pick(rng, ptype.synonyms) if use_synonym else ptype.name]
        if intent.attribute:
            words.insert(0, intent.attribute)
        if intent.brand:
            words.insert(0, intent.brand)
    query = " ".join(words).lower()
    if intent.price_cap is not None:
        query += f" under {intent.price_cap}"
    return query


def as_typed(query: str, rng: np.random.Generator) -> str:
    """`query` as it lands in the search box: now and then with a typo."""
    if rng.random() < TYPO_RATE:
        return add_typo(query, rng)
    return query


def add_typo(query: str, rng: np.random.Generator) -> str:
    """One slip of the finger in one longer word: a dropped, doubled, swapped or wrong letter."""
    words = query.split(" ")
    candidates = [
        i for i, w in enumerate(words) if len(w) >= MIN_TYPO_LENGTH and w.isalpha() and w != "under"
    ]
    if not candidates:
        return query
    i = candidates[int(rng.integers(len(candidates)))]
    word = words[i]
    at = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(4))
    if kind == 0:
        word = word[:at] + word[at + 1 :]
    elif kind == 1:
        word = word[:at] + word[at] + word[at:]
    elif kind == 2:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        word = word[:at] + _LETTERS[int(rng.integers(26))] + word[at + 1 :]
    words[i] = word
    return " ".join(words)
