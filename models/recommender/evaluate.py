"""HR@10 and NDCG@10 of the held-out next product, ranked among all products, for the model and
two baselines: popularity (what serving shows without a model) and "also touched" co-occurrence.

Every ranking leaves out the customer's history, as recommendations do; the target is a product
new to the customer, so this never hides it.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from models.recommender.model import RecommenderNet

K = 10
Case = tuple[str, list[str], str]  # customer, history, the next new product


def hit_and_ndcg(rank: int | None, k: int = K) -> tuple[float, float]:
    """HR@k and NDCG@k for one held-out product at 0-based `rank` (None: not ranked)."""
    if rank is None or rank >= k:
        return 0.0, 0.0
    return 1.0, 1.0 / float(np.log2(rank + 2))


def evaluate(ranked: list[list[str]], cases: list[Case]) -> dict[str, float]:
    """Mean HR@10 and NDCG@10 of each case's target within its ranked list."""
    scores = [
        hit_and_ndcg(r.index(target) if target in r else None)
        for r, (_, _, target) in zip(ranked, cases, strict=True)
    ]
    return {
        "hr_at_10": float(np.mean([s[0] for s in scores])),
        "ndcg_at_10": float(np.mean([s[1] for s in scores])),
    }


def model_rankings(net: RecommenderNet, cases: list[Case], k: int = K) -> list[list[str]]:
    """Top-k products per case from the full softmax, the case's history left out."""
    logits = net.next_item_scores([history for _, history, _ in cases])
    for row, (_, history, _) in zip(logits, cases, strict=True):
        row[[net.index[p] for p in history if p in net.index]] = -np.inf
    top = np.argsort(-logits, axis=1, kind="stable")[:, :k]
    return [[net.item_ids[i - 1] for i in row if i > 0] for row in top]


def popularity_rankings(popular: list[str], cases: list[Case], k: int = K) -> list[list[str]]:
    ranked = []
    for _, history, _ in cases:
        seen = set(history)
        ranked.append([p for p in popular[: k + len(seen)] if p not in seen][:k])
    return ranked


class CoOccurrence:
    """Products touched by the same customers, weighted by closeness in their sequences."""

    def __init__(self, sequences: dict[str, list[str]], popular: list[str]) -> None:
        self.popular = popular
        self.neighbours: dict[str, Counter[str]] = defaultdict(Counter)  # float weights
        for items in sequences.values():
            for i, a in enumerate(items):
                for j, b in enumerate(items):
                    if a != b:
                        self.neighbours[a][b] += 1.0 / abs(i - j)  # type: ignore[assignment]

    def scores(self, history: list[str]) -> Counter[str]:
        """Neighbours of the history, the most recent products counting most."""
        total: Counter[str] = Counter()
        for age, product in enumerate(reversed(history[-20:])):
            for other, weight in self.neighbours.get(product, {}).items():
                total[other] += weight * 0.8**age  # type: ignore[assignment]
        return total

    def rank(self, history: list[str], k: int = K) -> list[str]:
        """Top-k new products: neighbours first (ties by id), then popularity fills the list."""
        seen = set(history)
        scored = sorted(self.scores(history).items(), key=lambda item: (-item[1], item[0]))
        ranked = [p for p, _ in scored if p not in seen][:k]
        fill = (p for p in self.popular if p not in seen and p not in ranked)
        return ranked + [p for _, p in zip(range(k - len(ranked)), fill, strict=False)]


def baseline_metrics(
    train: dict[str, list[str]], popular: list[str], cases: list[Case]
) -> dict[str, float]:
    """Popularity and co-occurrence on the same cases, keys prefixed by the baseline's name."""
    co = CoOccurrence(train, popular)
    results = {
        "popularity": evaluate(popularity_rankings(popular, cases), cases),
        "cooccurrence": evaluate([co.rank(history) for _, history, _ in cases], cases),
    }
    return {f"{name}_{key}": value for name, r in results.items() for key, value in r.items()}
