"""The hidden truth orders products sensibly: words first, then the shopper's taste."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np

from simulation.catalog import generate_catalog
from simulation.relevance import query_match, true_relevance
from simulation.shoppers import BRAND_INDEX, CATEGORY_INDEX, generate_shoppers
from simulation.text import parse_query

CATALOG = generate_catalog(1500, 4)


def _first(**where: str):  # type: ignore[no-untyped-def]
    return next(p for p in CATALOG if all(getattr(p, k) == v for k, v in where.items()))


def _shopper_who_loves(product):  # type: ignore[no-untyped-def]
    shopper = generate_shoppers(1, 9)[0]
    prefs = np.full(len(CATEGORY_INDEX), 0.001)
    prefs[CATEGORY_INDEX[product.category]] = 1.0
    shopper.category_prefs = prefs / prefs.sum()
    shopper.brand_affinity = np.zeros(len(BRAND_INDEX))
    shopper.brand_affinity[BRAND_INDEX[product.brand]] = 2.0
    shopper.price_sensitivity = 0.0
    return shopper


def test_matching_and_liked_product_beats_non_matching_one() -> None:
    shoes = _first(product_type="Running Shoes")
    blender = _first(product_type="Blender")
    shopper = _shopper_who_loves(shoes)
    assert true_relevance(shopper, shoes, "running shoes") == 3
    assert true_relevance(shopper, blender, "running shoes") == 0


def test_synonyms_typos_and_neighbour_types() -> None:
    tee = _first(product_type="T-Shirt")
    boots = _first(product_type="Hiking Boots")
    assert query_match(tee, "tee") == 2
    assert query_match(tee, "tshirt") == 2
    assert query_match(_first(product_type="Running Shoes"), "sneakrs") == 2
    assert query_match(boots, "shoes") == 1  # a boot is a shoe, not the one asked for
    assert query_match(boots, "running shoes") == 0


def test_price_cap_and_taste_move_the_grade() -> None:
    pan = _first(product_type="Frying Pan")
    cheap = dataclasses.replace(pan, price=Decimal("9.99"))
    dear = dataclasses.replace(pan, price=Decimal("99.00"))
    assert true_relevance(None, cheap, "frying pan under 20") > true_relevance(
        None, dear, "frying pan under 20"
    )
    fan = _shopper_who_loves(pan)
    hater = _shopper_who_loves(_first(product_type="Blender"))
    hater.brand_affinity[BRAND_INDEX[pan.brand]] = -3.0
    assert true_relevance(fan, pan, "frying pan") > true_relevance(hater, pan, "frying pan")


def test_price_phrase_is_parsed_out_of_the_words() -> None:
    parsed = parse_query("Acme Men's running shoes under 50")
    assert parsed.price_cap == Decimal("50")
    assert parsed.words == ("acme", "men", "running", "shoe")
