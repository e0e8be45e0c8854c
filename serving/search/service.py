"""The search service: parse, fetch candidates, aggregate, rank, format; odd input never raises."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from serving.search.aggregator import to_candidates
from serving.search.client import fetch_candidates
from serving.search.formatter import SearchResponse, format_results
from serving.search.index import SearchIndex, SearchIndexError, open_index
from serving.search.query_parser import as_text, parse_query
from serving.search.ranking import Ranker, rank_candidates
from storeloop.settings import Settings

log = logging.getLogger(__name__)
MAX_LIMIT = 100


class SearchService:
    """`ranker` may be swapped at any time (hot reload); `features` is an `OnlineFeatures`."""

    def __init__(
        self,
        settings: Settings,
        ranker: Ranker | None = None,
        features: Any = None,
        index: SearchIndex | None = None,
        rerank_top_n: int = 50,
        ranker_budget_s: float = 0.2,
    ) -> None:
        self.index = index or open_index(settings)
        self.ranker = ranker
        self.features = features
        self.rerank_top_n = rerank_top_n
        self.ranker_budget_s = ranker_budget_s
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ranker")

    def search(
        self,
        query: Any,
        customer_id: str | None = None,
        limit: int = 20,
        in_stock_only: bool = False,
    ) -> SearchResponse:
        started = time.perf_counter()
        parsed = parse_query(query)
        limit = max(1, min(int(limit or 20), MAX_LIMIT))
        ranker = self.ranker  # one model for the whole request, even if a reload swaps it
        try:
            found = fetch_candidates(
                self.index, parsed, max(limit, self.rerank_top_n), in_stock_only
            )
        except (SearchIndexError, ValueError) as error:
            # A query the engine rejects is an empty page, not a failed request.
            log.warning("index rejected %r: %r", parsed, error)
            return SearchResponse(as_text(query), parsed.as_dict(), ranker_fallback="index_error")
        candidates = to_candidates(found, in_stock_only)
        product_features, customer_features = self._features(candidates, customer_id, ranker)
        outcome = rank_candidates(
            candidates,
            ranker,
            self._executor,
            product_features,
            customer_features,
            top_n=self.rerank_top_n,
            budget_s=self.ranker_budget_s,
        )
        return SearchResponse(
            query=as_text(query),
            parsed=parsed.as_dict(),
            results=format_results(outcome.candidates, limit),
            total=found.total,
            ranker=outcome.ranker,
            ranker_fallback=outcome.fallback,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
        )

    def _features(
        self, candidates: list[dict], customer_id: str | None, ranker: Ranker | None
    ) -> tuple[dict, dict | None]:
        if ranker is None or self.features is None or not candidates:
            return {}, None
        ids = [c["product_id"] for c in candidates[: self.rerank_top_n]]
        return self.features.for_products(ids), self.features.for_customer(customer_id)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.index.close()
