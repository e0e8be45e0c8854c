"""Personalised recommendations; without a recommender, the top-rated products in stock."""

from __future__ import annotations

import logging
from typing import Any

from serving.search.index import QuerySpec, SearchIndex, open_index
from storeloop.settings import Settings

log = logging.getLogger(__name__)
POPULAR = "index-top-rated"
ITEM_KEYS = ("product_id", "title", "brand", "category", "price", "rating", "stock")
MAX_K = 100


class RecommendationService:
    """`recommender` has `.version` and `.recommend(customer_id, k, exclude)`; swappable."""

    def __init__(
        self, settings: Settings, recommender: Any = None, index: SearchIndex | None = None
    ) -> None:
        self.recommender = recommender
        self.index = index or open_index(settings)

    def recommend(self, user_id: str, k: int = 10) -> dict[str, Any]:
        k = max(1, min(int(k), MAX_K))
        recommender = self.recommender
        items: list[dict[str, Any]] = []
        fallback = None
        if recommender is None:
            fallback = "no_recommender"
        else:
            try:
                items = self._from_model(recommender, user_id, k)
            except Exception as error:  # a broken model degrades to top-rated, by design
                log.warning("recommender failed: %r", error)
                fallback = f"recommender_error:{type(error).__name__}"
        if len(items) < k:
            items += self._top_rated(k - len(items), {item["product_id"] for item in items})
        return {
            "user_id": user_id,
            "recommender": str(recommender.version) if fallback is None else POPULAR,
            "fallback": fallback,
            "items": [{**item, "position": n} for n, item in enumerate(items[:k], start=1)],
        }

    def _from_model(self, recommender: Any, user_id: str, k: int) -> list[dict[str, Any]]:
        # Ask for more than k: deleted and sold-out products are dropped below.
        scored = recommender.recommend(user_id, k * 3, exclude=())
        docs = self.index.get(product_id for product_id, _ in scored)
        items = []
        for product_id, score in scored:
            doc = docs.get(product_id)
            if doc and int(doc.get("stock") or 0) > 0:
                items.append({**{key: doc[key] for key in ITEM_KEYS}, "score": float(score)})
        return items[:k]

    def _top_rated(self, count: int, exclude: set[str]) -> list[dict[str, Any]]:
        spec = QuerySpec(order_by_rating=True, in_stock_only=True, limit=count + len(exclude))
        found = self.index.search(spec).hits
        return [
            {**{key: hit.doc[key] for key in ITEM_KEYS}, "score": float(hit.doc["rating"])}
            for hit in found
            if hit.product_id not in exclude
        ][:count]
