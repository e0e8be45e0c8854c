"""Online features from Feast for serving; a failure or a gap reads as a logged fallback.

What is read is derived from the feature services training uses (features.repo.definitions):
serving never asks for a feature the models were not trained on. Whatever Feast does not have
(a new product, an unknown shopper, a cold store) is reported to the caller, which defaults it
and says so; nothing is defaulted silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from features.activity import ShopperActivity
from features.declared import service_refs_by_key
from features.repo.definitions import RANKER_SERVICE, RECOMMENDER_SERVICE
from storeloop.settings import Settings

log = logging.getLogger(__name__)
NAMED_IN_LOG = 5  # entity ids a fallback log line names before it only counts


@dataclass(frozen=True)
class Lookup:
    """Online values of some entities of one key, and what the store did not have."""

    values: dict[str, dict[str, Any]]  # entity id -> feature name -> value, non-null only
    missing: dict[str, list[str]] = field(default_factory=dict)  # entity id -> refs not found
    error: str | None = None  # the store could not be read at all

    def fallback(self) -> dict[str, int]:
        """view -> entities that lacked at least one of its features."""
        counts: dict[str, int] = {}
        for refs in self.missing.values():
            for view in {ref.split(":", 1)[0] for ref in refs}:
                counts[view] = counts.get(view, 0) + 1
        return counts


@dataclass(frozen=True)
class RankingFeatures:
    """What the search ranker reads online for one search."""

    products: dict[str, dict[str, Any]]  # product id -> its features found
    shopper: ShopperActivity | None  # None: anonymous, or not known online
    fallback: dict[str, int]  # view -> entities read (partly) as defaults


class OnlineFeatures:
    """Reads the ranker's and the recommender's feature services from the Feast online store."""

    def __init__(
        self,
        settings: Settings,
        ranker_service: str = RANKER_SERVICE,
        recommender_service: str = RECOMMENDER_SERVICE,
    ) -> None:
        self.settings = settings
        self.ranker_service = ranker_service
        self.recommender_service = recommender_service
        self._ranker_refs = service_refs_by_key(ranker_service)
        self._shopper_refs = service_refs_by_key(recommender_service).get("customer_id", [])
        self._store: Any = None

    @property
    def refs(self) -> dict[str, list[str]]:
        """service -> every `view:field` this reads of it."""
        return {
            self.ranker_service: [r for refs in self._ranker_refs.values() for r in refs],
            self.recommender_service: list(self._shopper_refs),
        }

    def lookup(self, refs: list[str], key: str, ids: list[str]) -> Lookup:
        """`refs` of the entities `ids` (join key `key`), in one online read."""
        if not ids or not refs:
            return Lookup({})
        try:
            table = (
                self.online_store()
                .get_online_features(
                    features=refs, entity_rows=[{key: i} for i in ids], full_feature_names=True
                )
                .to_dict()
            )
        except Exception as error:  # a cold or missing store must not break serving
            log.warning(
                "online features unavailable (%s for %d %s): %r", refs, len(ids), key, error
            )
            return Lookup({}, {i: list(refs) for i in ids}, repr(error))
        values: dict[str, dict[str, Any]] = {}
        missing: dict[str, list[str]] = {}
        for row, entity in enumerate(ids):
            found = {}
            for ref in refs:
                value = table.get(ref.replace(":", "__"), [None] * len(ids))[row]
                if value is None:
                    missing.setdefault(entity, []).append(ref)
                else:
                    found[ref.split(":", 1)[1]] = value
            if found:
                values[entity] = found
        if missing:
            named = ", ".join(
                f"{e} ({len(r)} of {len(refs)})" for e, r in list(missing.items())[:NAMED_IN_LOG]
            )
            more = f" and {len(missing) - NAMED_IN_LOG} more" if len(missing) > NAMED_IN_LOG else ""
            log.info("online features missing, defaults used: %s%s", named, more)
        return Lookup(values, missing)

    def for_products(self, product_ids: list[str]) -> Lookup:
        return self.lookup(self._ranker_refs.get("product_id", []), "product_id", product_ids)

    def for_ranking(self, product_ids: list[str], customer_id: str | None) -> RankingFeatures:
        """The ranker service's features of the candidates and of the shopper searching."""
        products = self.for_products(product_ids)
        fallback = products.fallback()
        shopper = None
        if customer_id:
            refs = self._ranker_refs.get("customer_id", [])
            found = self.lookup(refs, "customer_id", [customer_id])
            shopper = self._shopper(customer_id, found)
            for view, count in found.fallback().items():
                fallback[view] = fallback.get(view, 0) + count
        return RankingFeatures(products.values, shopper, fallback)

    def for_shopper(self, customer_id: str) -> ShopperActivity | None:
        """The recommender service's view of a shopper; None for one the store does not know
        (no activity pushed or materialized yet), which is logged."""
        found = self.lookup(self._shopper_refs, "customer_id", [customer_id])
        return self._shopper(customer_id, found)

    def _shopper(self, customer_id: str, found: Lookup) -> ShopperActivity | None:
        if customer_id not in found.values:
            log.info("unknown shopper %s: no shopper_activity online", customer_id)
            return None
        return ShopperActivity.from_row(customer_id, found.values[customer_id])

    def online_store(self) -> Any:
        if self._store is None:
            from features.store import feature_store

            self._store = feature_store(self.settings)
        return self._store
