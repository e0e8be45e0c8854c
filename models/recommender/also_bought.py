"""Item-to-item "also bought": products bought by the same customers, cosine-weighted so a
best-seller is not everyone's neighbour; products only looked at together fill in after them."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

TOP = 20  # neighbours kept per product


def co_occurrence_neighbours(
    baskets: Iterable[Iterable[str]], top: int = TOP
) -> dict[str, list[tuple[str, float]]]:
    """Per product, the `top` products sharing most baskets: count / sqrt(n_a * n_b), ties by id."""
    together: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    for basket in baskets:
        products = sorted(set(basket))
        counts.update(products)
        for a in products:
            for b in products:
                if a != b:
                    together[a][b] += 1
    neighbours = {}
    for a, others in together.items():
        scored = [(b, n / math.sqrt(counts[a] * counts[b])) for b, n in others.items()]
        neighbours[a] = sorted(scored, key=lambda pair: (-pair[1], pair[0]))[:top]
    return neighbours


def also_bought(
    purchased: dict[str, set[str]], touched: dict[str, list[str]], top: int = TOP
) -> dict[str, list[tuple[str, float]]]:
    """Co-purchases first (scores 1 + cosine), then co-interactions (cosine below 1) to fill."""
    bought = co_occurrence_neighbours(purchased.values(), top)
    looked = co_occurrence_neighbours(touched.values(), top)
    merged: dict[str, list[tuple[str, float]]] = {}
    for product in set(bought) | set(looked):
        first = [(p, 1.0 + score) for p, score in bought.get(product, [])]
        have = {p for p, _ in first}
        rest = [(p, score) for p, score in looked.get(product, []) if p not in have]
        merged[product] = (first + rest)[:top]
    return merged
