"""Product titles for the ranker's text features, from silver `products` (Feast has no titles)."""

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
