"""Reads silver tables of the lake as plain rows, for the experiments' read-back."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow.dataset as ds

from storeloop.settings import Settings


def silver_rows(
    settings: Settings, table: str, columns: list[str], days: tuple[str, str] | None = None
) -> Iterable[tuple]:
    """Tuples of `columns`, optionally only of the days `[first, last]` (ISO dates, by the `dt`
    partition); none when the table has no files yet or lacks a column (a lake written before
    the column existed holds nothing that needs it)."""
    path = settings.lake_dir / "silver" / table
    if not path.exists():
        return []
    dataset = ds.dataset(path, format="parquet", partitioning="hive")
    wanted = [*columns, "dt"] if days else columns
    if any(c not in dataset.schema.names for c in wanted):
        return []
    found = dataset.to_table(columns=wanted).to_pydict()
    rows = zip(*(found[c] for c in wanted), strict=True)
    if days is None:
        return rows
    first, last = days
    return (row[:-1] for row in rows if first <= str(row[-1])[:10] <= last)


def product_families(settings: Settings) -> dict[str, str]:
    """variant -> its family (its parent's product_id) of every variant silver `products` knows
    (catalog.variants); standalone products are their own family and are not listed."""
    rows = silver_rows(settings, "products", ["product_id", "parent_id"])
    return {str(product): str(parent) for product, parent in rows if parent}
