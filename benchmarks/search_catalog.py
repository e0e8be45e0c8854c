"""A synthetic catalog for the search benchmarks: real-looking products, indexed directly.

`catalog_docs(n, seed)` reuses the simulator's generator for small catalogs and, beyond it, a
vectorised one over the same taxonomy (titles, brands, categories, prices, stock) so a million
products take seconds, not minutes.

    .venv/bin/python -m benchmarks.search_catalog --data-dir /tmp/s_bench --products 5000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from simulation.taxonomy import CATEGORIES

SIMULATOR_LIMIT = 20_000  # the simulator's generator is exact but about 10k products/s


def catalog_docs(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Index documents for `n` products, the same for the same (n, seed)."""
    if n <= SIMULATOR_LIMIT:
        from simulation.catalog import generate_catalog

        for spec in generate_catalog(n, seed):
            yield {
                "product_id": spec.product_id,
                "title": spec.title,
                "description": spec.description,
                "brand": spec.brand,
                "category": spec.category,
                "price": float(spec.price),
                "rating": spec.rating,
                "rating_count": spec.rating_count,
                "stock": spec.initial_stock,
                "created_at": f"2026-01-{1 + int(spec.product_id[-2:]) % 28:02d}",
            }
        return
    yield from _fast_docs(n, seed)


def _fast_docs(n: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = np.random.default_rng([seed, 2])
    leaves = rng.integers(len(CATEGORIES), size=n)
    draws = rng.random((n, 8))
    prices = np.exp(rng.normal(0, 0.5, n))
    for i in range(n):
        leaf = CATEGORIES[leaves[i]]
        u = draws[i]
        ptype = leaf.types[int(u[0] * len(leaf.types))]
        brand = leaf.brands[min(len(leaf.brands) - 1, int(u[1] ** 2 * len(leaf.brands)))]
        adjective = leaf.adjectives[int(u[2] * len(leaf.adjectives))]
        feature = leaf.features[int(u[3] * len(leaf.features))]
        material = leaf.materials[int(u[4] * len(leaf.materials))]
        colour = leaf.colours[int(u[5] * len(leaf.colours))]
        head = " ".join(w for w in (brand, adjective if u[6] < 0.75 else "", ptype.name) if w)
        stock = 0 if u[7] < 0.05 else 1 + int(u[7] * 80)
        yield {
            "product_id": f"p-{i + 1:07d}",
            "title": f"{head}, {feature}, {colour}",
            "description": f"The {brand} {ptype.name.lower()} is made of {material.lower()} "
            f"with {feature.lower()}. Colour: {colour.lower()}.",
            "brand": brand,
            "category": leaf.path,
            "price": round(float(leaf.median_price * prices[i]), 2),
            "rating": round(1.0 + 4.0 * float(u[6]), 1),
            "rating_count": int(u[4] * 500),
            "stock": stock,
            "created_at": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
        }


def build_index(data_dir: Path, n: int, seed: int = 7, batch: int = 50_000) -> dict[str, float]:
    """Indexes `n` products into `data_dir`'s search index; returns docs, seconds, docs/s."""
    from serving.search.index.tantivy_index import TantivyIndex
    from storeloop.settings import Settings

    index = TantivyIndex(Settings(data_dir=data_dir).search_index_dir, bulk=True)
    started = time.perf_counter()
    chunk: list[dict[str, Any]] = []
    for doc in catalog_docs(n, seed):
        chunk.append(doc)
        if len(chunk) == batch:
            index.add_new(chunk)
            chunk = []
    index.add_new(chunk)
    index.commit()
    seconds = time.perf_counter() - started
    index.close()
    return {"docs": n, "seconds": round(seconds, 2), "docs_per_s": round(n / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--products", type=int, default=5000)
    args = parser.parse_args()
    print(build_index(args.data_dir, args.products))


if __name__ == "__main__":
    main()
