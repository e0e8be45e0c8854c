"""The hidden truth on disk, for evaluation only: shoppers' tastes keyed by customer id, products'
latent quality and match terms. Training code must never read `settings.simulation_dir`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from simulation.catalog import (
    ProductSpec,
    options_from_json,
    options_json,
    product_type,
    with_terms,
)
from simulation.errors import SimulationError, SimulationErrorCode
from simulation.shoppers import Shopper
from simulation.taxonomy import ALL_BRANDS, CATEGORIES
from storeloop.settings import Settings

_PRODUCT_COLUMNS = (
    "product_id",
    "seller_index",
    "title",
    "description",
    "brand",
    "category",
    "product_type",
    "colour",
    "material",
    "price",
    "rating",
    "rating_count",
    "initial_stock",
    "quality",
    "median_price",
    "image_url",
    "family_id",
    "family_title",
    "options",
)


@dataclass(frozen=True)
class Truth:
    products: dict[str, ProductSpec]
    shoppers: dict[str, Shopper]  # by customer id


def save_truth(settings: Settings, products: list[ProductSpec], shoppers: list[Shopper]) -> None:
    out = settings.simulation_dir
    out.mkdir(parents=True, exist_ok=True)
    rows = [{**{c: getattr(p, c) for c in _PRODUCT_COLUMNS}, "options": options_json(p)}
            for p in products]  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(_PRODUCT_COLUMNS))
    frame["price"] = frame["price"].astype(str)  # Decimal stays exact as text
    frame.to_parquet(out / "products.parquet", index=False)
    pd.DataFrame(
        [
            {
                "shopper_index": s.index,
                "customer_id": s.customer_id,
                "name": s.name,
                "email": s.email,
                "category_prefs": s.category_prefs.tolist(),
                "brand_affinity": s.brand_affinity.tolist(),
                "price_sensitivity": s.price_sensitivity,
                "quality_sensitivity": s.quality_sensitivity,
                "activity": s.activity,
            }
            for s in shoppers
        ]
    ).to_parquet(out / "shoppers.parquet", index=False)
    # the taste vectors are indexed by these lists: a changed taxonomy must not be misread
    meta = {
        "categories": [c.path for c in CATEGORIES],
        "brands": list(ALL_BRANDS),
        "seed": settings.seed,
    }
    (out / "truth.json").write_text(json.dumps(meta, indent=2))


def load_truth(settings: Settings) -> Truth:
    """What evaluators need to call `relevance.true_relevance(shopper, product, query)`."""
    out = settings.simulation_dir
    if not (out / "truth.json").exists():
        raise SimulationError(SimulationErrorCode.NO_TRUTH, f"no simulation truth in {out}")
    meta = json.loads((out / "truth.json").read_text())
    if meta["categories"] != [c.path for c in CATEGORIES] or meta["brands"] != list(ALL_BRANDS):
        raise SimulationError(SimulationErrorCode.TAXONOMY_CHANGED, "other taxonomy")
    products = {}
    for row in pd.read_parquet(out / "products.parquet").to_dict("records"):
        # a truth saved before families had no family columns: every product standalone
        fields = {**row, "price": Decimal(row["price"])}
        fields["options"] = options_from_json(row.get("options"))
        fields["family_id"], fields["family_title"] = (row.get("family_id") or "",
                                                       row.get("family_title") or "")  # fmt: skip
        spec = ProductSpec(**fields)
        products[spec.product_id] = with_terms(spec, product_type(spec).synonyms)
    shoppers = {}
    for row in pd.read_parquet(out / "shoppers.parquet").to_dict("records"):
        shopper = Shopper(
            index=int(row["shopper_index"]),
            name=row["name"],
            email=row["email"],
            category_prefs=np.asarray(row["category_prefs"], dtype=float),
            brand_affinity=np.asarray(row["brand_affinity"], dtype=float),
            price_sensitivity=float(row["price_sensitivity"]),
            quality_sensitivity=float(row["quality_sensitivity"]),
            activity=float(row["activity"]),
            customer_id=row["customer_id"],
        )
        shoppers[shopper.customer_id or f"#{shopper.index}"] = shopper
    return Truth(products=products, shoppers=shoppers)
