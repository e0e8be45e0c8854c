"""Personalised recommendations and similar products. The shopper's history is read per request
from the online store, so what they did a second ago counts. Every response names what filled it
(`recommender`: a registry version, or `popularity` without one), its `kind`, the `strategy`, and
the `fallback` taken with its reason (None when the model answered); an unknown id never errors.

Lists are of products, not of sizes (catalog.variants): the recommender is asked with each
viewed or bought variant's family, a family shows once, as the variant the shopper viewed or
bought where it is in stock, else its first in stock, and a family bought in any size counts as
bought (`family_id` names a variant's family).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from serving.search.index import QuerySpec, SearchIndex, open_index
from storeloop.arms import CONTROL, arm_of
from storeloop.settings import Settings

log = logging.getLogger(__name__)
POPULARITY = "popularity"
ITEM_KEYS = ("product_id", "title", "brand", "category", "price", "rating", "stock")
FAMILY_VARIANTS_READ = 50  # variants read per recommended family, to find one in stock
MAX_K = 100
POPULAR_POOL = 200  # top-rated in-stock products re-ordered by how many rated them
POPULAR_TTL_S = 60.0
OVER_BUDGET = "over_budget"  # the model took longer than the request may wait


class RecommendationService:
    """`recommender` (swappable) has `.version`, `.kind`, `.knows(history)`,
    `.recommend(history, k, exclude, purchased)`, `.similar(product_id, k)` and
    `.popular(k, skip)`; `features` has `.for_shopper(customer_id)` returning None for an
    unknown shopper, else an object with `.recent_products` and `.purchased_products`;
    `embeddings` has `.nearest(product_id, title, k, skip)` (title vectors, loaded lazily)."""

    def __init__(
        self,
        settings: Settings,
        recommender: Any = None,
        index: SearchIndex | None = None,
        features: Any = None,
        embeddings: Any = None,
    ) -> None:
        self.settings = settings
        self.recommender = recommender
        self.index = index or open_index(settings)
        self.features = features
        self._embeddings = embeddings
        self._lock = threading.Lock()
        self._popular: tuple[float, list[dict[str, Any]]] | None = None
        # The model answers in a worker so that a slow one costs the request its budget, never
        # more; a call past it runs on, but the shopper already has popular products.
        self._model_calls = ThreadPoolExecutor(max_workers=2, thread_name_prefix="recommender")

    def recommend(self, user_id: str, k: int = 10) -> dict[str, Any]:
        """The model ranks from the shopper's recent products; a shopper the online store does
        not know, or whose products the version never saw, gets popular products
        (`unknown_customer`)."""
        k = max(1, min(int(k), MAX_K))
        arm = self._arm(user_id)
        recommender, fallback = self._for(arm)
        viewed, bought = self._shopper(user_id)
        families = self._families([*viewed, *bought])
        history = _unique(families.get(p, p) for p in viewed)
        purchased = _unique(families.get(p, p) for p in bought)
        items: list[dict[str, Any]] = []
        strategy = POPULARITY
        if fallback is None and (not history or not _knows(recommender, history)):
            fallback = "unknown_customer"
        if fallback is None:
            try:
                # Ask for more than k: deleted and sold-out products are dropped here.
                scored = self._in_budget(
                    lambda: recommender.recommend(history, k * 3, purchased=purchased)
                )
                items = self._in_stock(scored, k, set(), [*viewed, *bought])
                strategy = str(recommender.kind)
            except FutureTimeout:
                fallback = OVER_BUDGET
            except Exception as error:  # a broken model degrades to popular products, by design
                log.warning("recommender failed: %r", error)
                fallback = f"recommender_error:{type(error).__name__}"
        skip = {_family(item) for item in items} | set(history) | set(purchased)
        items += self._popular_fill(recommender, fallback, k - len(items), skip)
        answer = self._response("user_id", user_id, recommender, strategy, fallback, items, k)
        return answer | {"arm": arm}

    def similar(self, product_id: str, k: int = 10, customer_id: str | None = None) -> dict:
        """Products bought or viewed with this one (`also_bought`); for a catalog product without
        such neighbours, the products whose titles are nearest (`content`); for a product not in
        the catalog, popular ones (`unknown_product`). Products the customer bought are left out.
        """
        k = max(1, min(int(k), MAX_K))
        arm = self._arm(customer_id)
        recommender, fallback = self._for(arm)
        bought = self._shopper(customer_id)[1]
        families = self._families([product_id, *bought])
        family = families.get(product_id, product_id)
        # its own family's other sizes are not "similar products", nor is what the shopper bought
        skip = {product_id, family} | {families.get(p, p) for p in bought}
        items: list[dict[str, Any]] = []
        strategy = POPULARITY
        if fallback is None:
            try:
                scored = self._in_budget(lambda: recommender.similar(family, k * 3))
                items = self._in_stock(scored, k, skip)
            except FutureTimeout:
                fallback = OVER_BUDGET
            except Exception as error:
                log.warning("similar failed: %r", error)
                fallback = f"recommender_error:{type(error).__name__}"
        if items:
            strategy = "also_bought"
        doc = self.index.get([product_id]).get(product_id)
        if doc is None:
            fallback = fallback or (None if items else "unknown_product")
        elif len(items) < k:
            have = skip | {_family(item) for item in items}
            found = self._content(product_id, str(doc.get("title") or ""), k - len(items), have)
            strategy = "content" if found and not items else strategy
            items += found
        skip |= {_family(item) for item in items}
        items += self._popular_fill(recommender, fallback, k - len(items), skip)
        response = self._response(
            "product_id", product_id, recommender, strategy, fallback, items, k
        )
        return response | {"arm": arm}

    def _in_budget(self, call: Callable[[], Any]) -> Any:
        """The model's answer, or FutureTimeout past `recommend_budget_s`."""
        future = self._model_calls.submit(call)
        try:
            return future.result(timeout=self.settings.recommend_budget_s)
        except FutureTimeout:
            future.cancel()
            raise

    def _arm(self, customer_id: str | None) -> str | None:
        return arm_of(customer_id, self.settings.control_share, self.settings.experiment_salt)

    def _for(self, arm: str | None) -> tuple[Any, str | None]:
        """The recommender a shopper in `arm` is served, or None and why: the A/B test's control
        arm sees popular products and title neighbours, as before the store had models."""
        if arm == CONTROL:
            return None, "control_arm"
        recommender = self.recommender
        return recommender, None if recommender is not None else "no_recommender"

    def _popular_fill(
        self, recommender: Any, fallback: str | None, count: int, skip: set[str]
    ) -> list[dict[str, Any]]:
        """The version's popular products (its training window), then the index's."""
        items: list[dict[str, Any]] = []
        if count > 0 and _answers(recommender, fallback):
            items = self._in_stock(recommender.popular(count * 3, skip), count, skip)
        have = skip | {_family(item) for item in items}
        return items + self._index_popular(count - len(items), have)

    def _response(
        self,
        key: str,
        value: str,
        recommender: Any,
        strategy: str,
        fallback: str | None,
        items: list[dict[str, Any]],
        k: int,
    ) -> dict[str, Any]:
        answered = _answers(recommender, fallback)
        return {
            key: value,
            "recommender": str(recommender.version) if answered else POPULARITY,
            "kind": str(recommender.kind) if answered else POPULARITY,
            "strategy": strategy,
            "fallback": fallback,
            "items": [{**item, "position": n} for n, item in enumerate(items[:k], start=1)],
        }

    def _shopper(self, customer_id: str | None) -> tuple[list[str], list[str]]:
        """(recent products oldest first, purchased products); empty for an unknown shopper."""
        read = getattr(self.features, "for_shopper", None)
        if not customer_id or read is None:
            return [], []
        try:
            shopper = read(customer_id)
        except Exception as error:  # the online store is down: treat as a stranger, say so
            log.info("shopper features unavailable: %r", error)
            return [], []
        if shopper is None:
            return [], []
        return list(shopper.recent_products or ()), list(shopper.purchased_products or ())

    def _content(self, product_id: str, title: str, k: int, skip: set[str]) -> list[dict]:
        if k <= 0:
            return []
        try:
            embeddings = self._title_embeddings()
            # a family's titles are nearest each other: read past the product's own sizes
            wanted = k * 3 + FAMILY_VARIANTS_READ
            nearest = embeddings.nearest(product_id, title, wanted, frozenset(skip))
        except Exception as error:  # no vectors, no encoder: popular products fill instead
            log.warning("title similarity failed: %r", error)
            return []
        return self._in_stock(nearest, k, skip)

    def _title_embeddings(self) -> Any:
        with self._lock:
            if self._embeddings is None:
                from models.ranker.embeddings import TitleEmbeddings, read_store, store_path

                self._embeddings = TitleEmbeddings(None, read_store(store_path(self.settings)))
            return self._embeddings

    def _in_stock(
        self,
        scored: Sequence[tuple[str, float]],
        k: int,
        skip: set[str],
        preferred: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """The first k of `scored` (products or families) in stock, one per family and none in
        `skip` (products and families); a family shows as its `preferred` variant in stock."""
        if k <= 0 or not scored:
            return []
        docs = self.index.get(product_id for product_id, _ in scored)
        parents = [product_id for product_id, _ in scored if product_id not in docs]
        docs = {**docs, **self._shown_variants(parents, preferred)}
        items: list[dict[str, Any]] = []
        shown: set[str] = set()
        for product_id, score in scored:
            doc = docs.get(product_id)
            if not doc or int(doc.get("stock") or 0) <= 0:
                continue
            family = _family(doc)
            if product_id in skip or family in skip or family in shown:
                continue
            shown.add(family)
            items.append(_item(doc, score))
        return items[:k]

    def _shown_variants(
        self, parents: Sequence[str], preferred: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """family_id -> the variant to show of each family: the first of `preferred` in stock,
        else its first in stock; a family without one in stock (or an unknown id) is left out."""
        if not parents or not self.index.holds_variants():
            return {}
        spec = QuerySpec(family_ids=tuple(parents), in_stock_only=True,
                         limit=FAMILY_VARIANTS_READ * len(parents))  # fmt: skip
        rank = {product_id: n for n, product_id in enumerate(preferred)}
        shown: dict[str, dict[str, Any]] = {}
        for hit in self.index.search(spec).hits:
            family = _family(hit.doc)
            held = shown.get(family)
            mine = rank.get(hit.product_id, len(rank))
            if held is None or mine < rank.get(str(held["product_id"]), len(rank)):
                shown[family] = {**hit.doc, "product_id": hit.product_id}
        return shown

    def _families(self, product_ids: Sequence[str]) -> dict[str, str]:
        """product_id -> its family (its parent, or itself when standalone or unknown)."""
        if not product_ids:
            return {}
        docs = self.index.get(product_ids)
        return {p: _family(docs[p]) if p in docs else p for p in product_ids}

    def _index_popular(self, count: int, exclude: set[str]) -> list[dict[str, Any]]:
        """Without a model, popularity from what the index knows: among the top-rated in-stock
        products, the most rated first (a rating count is bought and reviewed interest)."""
        if count <= 0:
            return []
        with self._lock:
            cached = self._popular
            if cached is None or time.monotonic() - cached[0] > POPULAR_TTL_S:
                spec = QuerySpec(order_by_rating=True, in_stock_only=True, limit=POPULAR_POOL)
                pool = [
                    _item(hit.doc, float(hit.doc.get("rating_count") or 0))
                    for hit in self.index.search(spec).hits
                ]
                pool.sort(key=lambda i: (-float(i["score"] or 0), -float(i["rating"] or 0)))
                cached = self._popular = (time.monotonic(), pool)
        candidates: list[tuple[str, float]] = []
        shown: set[str] = set()  # one size of a family
        for item in cached[1]:
            if len(candidates) == count * 3:
                break
            family = _family(item)
            if item["product_id"] not in exclude and family not in exclude and family not in shown:
                shown.add(family)
                candidates.append((str(item["product_id"]), float(item["score"] or 0)))
        # the pool is up to a minute old: what sold out since is read again and left out
        return self._in_stock(candidates, count, exclude)


def _item(doc: dict[str, Any], score: float) -> dict[str, Any]:
    item = {**{key: doc.get(key) for key in ITEM_KEYS}, "score": float(score)}
    if _family(doc) != doc["product_id"]:  # a standalone product is its own family
        item["family_id"] = doc["family_id"]
    return item


def _family(doc: dict[str, Any]) -> str:
    return str(doc.get("family_id") or doc["product_id"])


def _unique(product_ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(product_ids))


def _answers(recommender: Any, fallback: str | None) -> bool:
    """Whether the version (not the index) filled the response. Past its budget the version is
    not asked again, for its popular products either."""
    if recommender is None or fallback in ("no_recommender", OVER_BUDGET):
        return False
    return not str(fallback or "").startswith("recommender_error")


def _knows(recommender: Any, history: list[str]) -> bool:
    knows = getattr(recommender, "knows", None)
    return True if knows is None else bool(knows(history))
