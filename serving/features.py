"""Online features from Feast for the ranker; any failure reads as "no features", never an error."""

from __future__ import annotations

import logging
from typing import Any

from storeloop.settings import Settings

log = logging.getLogger(__name__)
PRODUCT_FEATURES = (
    "category", "brand", "price", "price_rel_category", "rating", "rating_count", "stock",
    "in_stock", "orders_7d", "units_7d", "impressions_7d", "clicks_7d", "ctr_7d", "popularity",
)  # fmt: skip
CUSTOMER_FEATURES = (
    "orders_30d", "spend_30d", "avg_order_value", "clicks_30d", "top_category", "top_brand",
)  # fmt: skip


class OnlineFeatures:
    """Reads `product_features` and `customer_features` from the Feast online store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Any = None

    def _online(self, view: str, names: tuple[str, ...], key: str, ids: list[str]) -> list[dict]:
        if self._store is None:
            from features.store import feature_store

            self._store = feature_store(self.settings)
        table = self._store.get_online_features(
            features=[f"{view}:{name}" for name in names],
            entity_rows=[{key: entity_id} for entity_id in ids],
        ).to_dict()
        return [
            {name: table.get(name, [None] * len(ids))[row] for name in names}
            for row in range(len(ids))
        ]

    def for_products(self, product_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not product_ids:
            return {}
        try:
            rows = self._online("product_features", PRODUCT_FEATURES, "product_id", product_ids)
        except Exception as error:  # a cold or missing store must not break search
            log.info("product features unavailable: %r", error)
            return {}
        return {
            product_id: {k: v for k, v in row.items() if v is not None}
            for product_id, row in zip(product_ids, rows, strict=True)
            if any(value is not None for value in row.values())
        }

    def for_customer(self, customer_id: str | None) -> dict[str, Any] | None:
        if not customer_id:
            return None
        try:
            (row,) = self._online(
                "customer_features", CUSTOMER_FEATURES, "customer_id", [customer_id]
            )
        except Exception as error:
            log.info("customer features unavailable: %r", error)
            return None
        found = {k: v for k, v in row.items() if v is not None}
        return found or None
