"""What the ranker knows of products beyond Feast rows: titles (silver `products`, Feast has none)
and every product's category and brand (gold product_features), for the shopper affinity of
recent products that a search did not show."""

from __future__ import annotations

import pyarrow.dataset as ds

from storeloop.settings import Settings


def product_titles(settings: Settings) -> dict[str, str]:
    """product_id -> title of every product silver knows (deleted ones too: old searches showed
    them); empty when silver has no products yet, so text features fall back to zero."""
    path = settings.lake_dir / "silver" / "products"
    if not path.exists():
        return {}
    table = ds.dataset(path, format="parquet").to_table(columns=["product_id", "title"])
    return {
        str(p): str(t or "")
        for p, t in zip(table["product_id"].to_pylist(), table["title"].to_pylist(), strict=True)
    }


def product_attributes(settings: Settings) -> dict[str, dict[str, object]] | None:
    """product_id -> {category, brand} from its latest gold product_features row; None when gold
    has none yet (the training frame's own rows then stand in)."""
    from features.gold import FeatureDataError, read_gold
    from models.ranker.data import catalog_of

    try:
        products = read_gold(settings, "product_features")
    except FeatureDataError:
        return None
    return catalog_of(products)
