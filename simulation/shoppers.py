"""Seeded shoppers with hidden tastes: category and brand preferences, price and quality care.

The tastes are the ground truth that recommendation and ranking quality is measured against;
the store only ever sees a name and an email.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.taxonomy import ALL_BRANDS, CATEGORIES

_FIRST = (
    "Ava",
    "Liam",
    "Maya",
    "Noah",
    "Zoe",
    "Omar",
    "Lena",
    "Ivan",
    "Sara",
    "Kenji",
    "Aisha",
    "Lucas",
    "Priya",
    "Mateo",
    "Chloe",
    "Yusuf",
    "Elena",
    "Tomas",
    "Nora",
    "Diego",
)
_LAST = (
    "Smith",
    "Garcia",
    "Chen",
    "Patel",
    "Muller",
    "Rossi",
    "Kim",
    "Okafor",
    "Silva",
    "Novak",
    "Haddad",
    "Berg",
    "Tanaka",
    "Dubois",
    "Khan",
    "Lopez",
)


@dataclass
class Shopper:
    index: int
    name: str
    email: str
    category_prefs: np.ndarray  # over CATEGORIES, sums to 1
    brand_affinity: np.ndarray  # over ALL_BRANDS, standard-normal-ish
    price_sensitivity: float  # 0 (indifferent) .. 1 (hunts bargains)
    quality_sensitivity: float  # 0 .. 1: how much a good rating matters
    activity: float  # relative session rate, mean 1
    customer_id: str | None = None  # assigned by the store at registration

    def category_pref(self, category: str) -> float:
        return float(self.category_prefs[CATEGORY_INDEX[category]])

    def brand_pref(self, brand: str) -> float:
        index = BRAND_INDEX.get(brand)
        return 0.0 if index is None else float(self.brand_affinity[index])


CATEGORY_INDEX = {c.path: i for i, c in enumerate(CATEGORIES)}
BRAND_INDEX = {b: i for i, b in enumerate(ALL_BRANDS)}


def generate_shoppers(n_shoppers: int, seed: int) -> list[Shopper]:
    """The same (n_shoppers, seed) always gives the same shoppers."""
    rng = np.random.default_rng([seed, 2])
    # a small alpha makes most shoppers care about two or three categories only
    prefs = rng.dirichlet(np.full(len(CATEGORIES), 0.3), size=n_shoppers)
    brands = rng.normal(0.0, 1.0, size=(n_shoppers, len(ALL_BRANDS)))
    price = rng.beta(2.0, 2.0, size=n_shoppers)
    quality = rng.beta(2.0, 2.5, size=n_shoppers)
    activity = rng.gamma(2.0, 0.5, size=n_shoppers)
    shoppers = []
    for i in range(n_shoppers):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(i * 7 + i // len(_FIRST)) % len(_LAST)]
        shoppers.append(
            Shopper(
                index=i,
                name=f"{first} {last}",
                email=f"shopper{i:05d}@example.com",
                category_prefs=prefs[i],
                brand_affinity=brands[i],
                price_sensitivity=float(price[i]),
                quality_sensitivity=float(quality[i]),
                activity=float(activity[i]),
            )
        )
    return shoppers
