"""The marketplace's sellers: about twenty shops, each specialised in one top-level category."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.taxonomy import CATEGORIES

_SELLER_WORDS = (
    (
        "Blue Harbor",
        "Summit",
        "Oak & Pine",
        "Golden Gate",
        "Riverside",
        "Maple Street",
        "Northstar",
        "Copperleaf",
        "Silverline",
        "Evergreen",
    ),
    ("Goods", "Trading Co", "Outlet", "Supply", "Market", "Direct"),
)


@dataclass(frozen=True)
class SellerSpec:
    index: int
    name: str
    email: str
    home_category: str  # top level ("Fashion"): sellers specialise


def seller_count(n_products: int) -> int:
    return max(3, min(20, n_products // 10))


def generate_sellers(n_products: int, seed: int) -> list[SellerSpec]:
    rng = np.random.default_rng([seed, 11])
    tops = sorted({c.path.split(" > ")[0] for c in CATEGORIES})
    sellers = []
    for i in range(seller_count(n_products)):
        first = _SELLER_WORDS[0][int(rng.integers(len(_SELLER_WORDS[0])))]
        last = _SELLER_WORDS[1][int(rng.integers(len(_SELLER_WORDS[1])))]
        sellers.append(
            SellerSpec(
                i, f"{first} {last}", f"seller{i:02d}@sellers.example.com", tops[i % len(tops)]
            )
        )
    return sellers
