"""Personalised recommendations and "also bought" similar products from the champion recommender;
a new shopper or product gets popular products, and without a recommender the top-rated in stock.
Every response says which `strategy` filled it; an unknown id is never an error."""

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
            "strategy": self._strategy(recommender, fallback, "strategy", user_id),
            "fallback": fallback,
            "items": [{**item, "position": n} for n, item in enumerate(items[:k], start=1)],
        }

    def similar(self, product_id: str, k: int = 10) -> dict[str, Any]:
        """Products bought with `product_id` (co-purchases), in stock; popular ones fill the list
        (an unknown product gets popular products only)."""
        k = max(1, min(int(k), MAX_K))
        recommender, items, fallback = self.recommender, [], None
        if recommender is None or not hasattr(recommender, "similar"):
            fallback = "no_recommender"
        else:
            try:
                scored = recommender.similar(product_id, k * 3)
                items = self._in_stock(scored, k, {product_id})
            except Exception as error:  # a broken model degrades to top-rated, by design
                log.warning("similar failed: %r", error)
                fallback = f"recommender_error:{type(error).__name__}"
        if len(items) < k:
            have = {item["product_id"] for item in items} | {product_id}
            items += self._top_rated(k - len(items), have)
        return {
            "product_id": product_id,
            "recommender": str(recommender.version) if fallback is None else POPULAR,
            "strategy": self._strategy(recommender, fallback, "similar_strategy", product_id),
            "fallback": fallback,
            "items": [{**item, "position": n} for n, item in enumerate(items[:k], start=1)],
        }

    @staticmethod
    def _strategy(recommender: Any, fallback: str | None, method: str, key: str) -> str:
        """`sasrec`/`also_bought` for a known shopper/product, `popularity` for a new one (cold
        start), `top_rated` when no model could answer."""
        if fallback is not None:
            return "top_rated"
        explain = getattr(recommender, method, None)
        return str(explain(key)) if explain is not None else "model"

    def _from_model(self, recommender: Any, user_id: str, k: int) -> list[dict[str, Any]]:
        # Ask for more than k: deleted and sold-out products are dropped below.
        return self._in_stock(recommender.recommend(user_id, k * 3, exclude=()), k, set())

    def _in_stock(
        self, scored: list[tuple[str, float]], k: int, skip: set[str]
    ) -> list[dict[str, Any]]:
        docs = self.index.get(product_id for product_id, _ in scored)
        items = []
        for product_id, score in scored:
            doc = docs.get(product_id)
            if doc and product_id not in skip and int(doc.get("stock") or 0) > 0:
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
