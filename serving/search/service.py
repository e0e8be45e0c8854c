"""The search service: parse, fetch candidates, aggregate, rank, format; odd input never raises."""

from __future__ import annotations

import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from serving.search.aggregator import demote_out_of_stock, to_candidates
from serving.search.client import STOCK_POLICIES, fetch_candidates
from serving.search.formatter import INTERLEAVED, SearchResponse, format_results
from serving.search.index import SearchIndex, SearchIndexError, open_index
from serving.search.interleaving import team_draft
from serving.search.query_log import QueryLog, store_path
from serving.search.query_parser import SORTS, as_text, parse_query
from serving.search.ranking import Ranker, RankOutcome, in_stock, rank_candidates, reorders
from serving.search.spelling import Speller
from storeloop.arms import CONTROL, arm_of
from storeloop.settings import Settings
from storeloop.tracing import tracer

log = logging.getLogger(__name__)
TRACER = tracer(__name__)
MAX_LIMIT = 100
MAX_OFFSET = 1_000  # deep pages are a scraper's, not a shopper's
EXPLORE_DEPTH = 10  # randomised swaps stay within the first ten results, where clicks are


class SearchService:
    """`ranker` and `challenger` may be swapped at any time (hot reload); `features` is an
    `OnlineFeatures`. With a challenger, `interleave_share` of the relevance-ordered searches
    show a team draft of both rankers' orders, each result naming the version that placed it."""

    def __init__(
        self,
        settings: Settings,
        ranker: Ranker | None = None,
        features: Any = None,
        index: SearchIndex | None = None,
        rerank_top_n: int = 50,
        ranker_budget_s: float = 0.2,
        queries: QueryLog | None = None,
        challenger: Ranker | None = None,
        interleave_share: float | None = None,
    ) -> None:
        self.index = index or open_index(settings)
        self.ranker = ranker
        self.challenger = challenger
        self.interleave_share = (
            settings.interleave_share if interleave_share is None else interleave_share
        )
        # Seeded: a replayed simulation interleaves the same searches the same way.
        self._draw = random.Random(settings.seed)  # noqa: S311 - experiment coins
        self.control_share, self.salt = settings.control_share, settings.experiment_salt
        self.explore_share = settings.explore_share
        self.features = features
        self.rerank_top_n = rerank_top_n
        self.ranker_budget_s = ranker_budget_s
        self.queries = queries or QueryLog(store_path(settings))
        self.speller = Speller(self.index.vocabulary, self.queries.words)
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ranker")

    def search(
        self,
        query: Any,
        customer_id: str | None = None,
        limit: int = 20,
        in_stock_only: bool = False,
        *,
        page: int = 1,
        offset: int | None = None,
        sort: str | None = None,
        facets: bool = True,
        stock: str = "demote",
        category_level: int | None = None,
    ) -> SearchResponse:
        """`offset` wins over `page` (1-based); `sort` overrides the one the query text asks;
        `stock` (demote|filter|ignore) places out-of-stock products; "in stock" in the text filters;
        `category_level` (1-4) adds the facet `category_tree`: the matches' category nodes there.
        """
        started = time.perf_counter()
        parsed = parse_query(query)
        if sort in SORTS:
            parsed = parsed.__class__(**{**parsed.__dict__, "sort": sort})
        limit = max(1, min(int(limit or 20), MAX_LIMIT))
        start = offset if offset is not None else (max(1, int(page or 1)) - 1) * limit
        start = max(0, min(int(start), MAX_OFFSET))
        # Explicit sorts are the shopper's order: the ranker does not reorder them. The A/B
        # test's control arm sees the index order, as before the store had models.
        arm = arm_of(customer_id, self.control_share, self.salt)
        ranked = parsed.sort == "relevance" and arm != CONTROL
        ranker = self.ranker if ranked else None
        challenger = self._challenger() if ranked else None
        text = as_text(query)
        stock = stock if stock in STOCK_POLICIES else "demote"
        # Only a ranker that reorders needs candidates beyond the page, and their features: each
        # one fetched is a stored-doc read, and the features an online read.
        reordering = next((model for model in (ranker, challenger) if reorders(model)), None)
        wanted = max(start + limit, self.rerank_top_n) if reordering else start + limit
        try:
            with TRACER.start_as_current_span("search.index"):
                fetched = fetch_candidates(
                    self.index, parsed, wanted, in_stock_only,
                    stock=stock,
                )  # fmt: skip
                by = replace(fetched.spec, category_level=category_level)
                counts = self.index.facets(by) if facets else {}
        except (SearchIndexError, ValueError) as error:
            # A query the engine rejects is an empty page, not a failed request.
            log.warning("index rejected %r: %r", parsed, error)
            return SearchResponse(text, parsed.as_dict(), ranker_fallback="index_error")
        candidates = to_candidates(fetched.found, fetched.spec.in_stock_only)
        with TRACER.start_as_current_span("search.features"):
            product_features, shopper, fallback = self._features(
                candidates, customer_id, reordering
            )

        def rank(model: Ranker | None) -> RankOutcome:
            return rank_candidates(
                candidates,
                model,
                self._executor,
                product_features,
                shopper,
                top_n=self.rerank_top_n,
                budget_s=self.ranker_budget_s,
                query=text,
            )

        with TRACER.start_as_current_span("search.rank") as span:
            outcome = rank(ranker)
            if challenger is not None:
                outcome = self._interleave(outcome, rank(challenger))
            span.set_attribute("search.ranker", str(outcome.ranker))
        ordered = outcome.candidates
        if stock == "demote":
            ordered = demote_out_of_stock(ordered)
        swapped_at = None
        if parsed.sort == "relevance" and start == 0 and outcome.ranker != INTERLEAVED:
            ordered, swapped_at = self._explore(ordered, limit)
        return SearchResponse(
            query=text,
            parsed=parsed.as_dict(),
            results=format_results(ordered, limit, start),
            total=fetched.found.total,
            ranker=outcome.ranker,
            ranker_fallback=_fallback(outcome, ranker, self.ranker, arm),
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            facets=counts,
            relaxed=fetched.relaxed,
            did_you_mean=self._spelling(parsed.keywords),
            offset=start,
            limit=limit,
            stock=stock,
            feature_fallback=fallback,
            arm=arm,
            swapped_at=swapped_at,
        )

    def _explore(self, ordered: list[dict], limit: int) -> tuple[list[dict], int | None]:
        """In a share of lists, the results at a random position k and k + 1 of the page trade
        places (RandPair, Joachims et al., WSDM 2017): the same results seen one place lower or
        higher tell how much the position alone changes clicks. A pair across the in-stock
        boundary stays as it is: sold-out products never rise above available ones. Returns the
        list and k (None: not swapped)."""
        depth = min(EXPLORE_DEPTH, limit, len(ordered))
        if self.explore_share <= 0.0 or depth < 2 or self._draw.random() >= self.explore_share:
            return ordered, None
        k = self._draw.randint(1, depth - 1)
        if in_stock(ordered[k - 1]) != in_stock(ordered[k]):
            return ordered, None
        swapped = list(ordered)
        swapped[k - 1], swapped[k] = swapped[k], swapped[k - 1]
        return swapped, k

    def _challenger(self) -> Ranker | None:
        challenger, champion = self.challenger, self.ranker
        if challenger is None or self.interleave_share <= 0.0:
            return None
        if champion is not None and str(champion.version) == str(challenger.version):
            return None
        return challenger if self._draw.random() < self.interleave_share else None

    def _interleave(self, champion: RankOutcome, challenger: RankOutcome) -> RankOutcome:
        """The head both rankers reordered, drafted by teams; each result carries `team`, the
        version that placed it, unless both would have placed it there. Two orders by one name
        (both fell back to index order) are not an experiment: the champion's outcome stands."""
        teams = (champion.ranker, challenger.ranker)
        if teams[0] == teams[1]:
            return champion
        head = self.rerank_top_n
        by_id = {c["product_id"]: c for c in champion.candidates[:head]}
        drafted = team_draft(
            [c["product_id"] for c in champion.candidates[:head]],
            [c["product_id"] for c in challenger.candidates[:head]],
            self._draw,
        )
        merged = [
            by_id[product_id] if team is None else {**by_id[product_id], "team": teams[team]}
            for product_id, team in drafted
        ]
        return RankOutcome(merged + champion.candidates[head:], INTERLEAVED, champion.fallback)

    def _spelling(self, keywords: str) -> str | None:
        # Known words cost a dict lookup each; only unknown ones are compared with the vocabulary.
        if not keywords:
            return None
        try:
            return self.speller.did_you_mean(keywords)
        except (SearchIndexError, ValueError) as error:
            log.warning("no spelling for %r: %r", keywords, error)
            return None

    def _features(
        self, candidates: list[dict], customer_id: str | None, ranker: Ranker | None
    ) -> tuple[dict, Any, dict[str, int]]:
        """The candidates' Feast features, the shopper's affinity profile and what fell back."""
        if ranker is None or self.features is None or not candidates:
            return {}, None, {}
        ids = [c["product_id"] for c in candidates[: self.rerank_top_n]]
        found = self.features.for_ranking(ids, customer_id)
        recent = list(found.shopper.recent_products) if found.shopper else []
        return found.products, self._profile(recent), found.fallback

    def _profile(self, recent: list[str]) -> Any:
        """The shopper's category and brand shares, read from the index docs of their recent
        products (the same function training computes it with)."""
        if not recent:
            return None
        try:
            from models.ranker.features import shopper_profile

            docs = self.index.get(recent)
        except ImportError:
            return None  # the ranker cannot run either (rank_candidates says so)
        except SearchIndexError as error:
            log.warning("no affinity: recent products unreadable: %r", error)
            return None
        return shopper_profile(recent, docs)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.index.close()


def _fallback(
    outcome: RankOutcome, used: Ranker | None, held: Ranker | None, arm: str | None
) -> str | None:
    """Why the champion did not order this page, if it did not."""
    if used is not None or held is None:
        return outcome.fallback
    return "control_arm" if arm == CONTROL else "sorted"
