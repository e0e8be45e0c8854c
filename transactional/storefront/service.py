"""Storefront handlers: record a search or a recommendation list with what it showed, and a
click on one of its items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from contracts import events
from transactional.common.ids import hex_id
from transactional.common.uow import UnitOfWork
from transactional.storefront.domain import (
    MAX_ID,
    MAX_NAME,
    InvalidPageView,
    InvalidRecommendations,
    InvalidSearch,
    RecommendationNotFound,
    Refusal,
    SearchNotFound,
    ensure_arm,
    ensure_position,
    ensure_swap,
    ensure_text,
    impressions,
    page_view,
    recommendation_list,
)
from transactional.storefront.repository import RecommendationListRepository, SearchRepository


class StorefrontService:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def record_search(
        self,
        session_id: str,
        customer_id: str | None,
        query: str,
        results: Iterable[Mapping[str, Any]],
        ranker: str,
        arm: str | None = None,
        swapped_at: int | None = None,
    ) -> str:
        """`arm`: the shopper's A/B arm as serving named it (None: not in the test);
        `swapped_at`: the position serving swapped with the next at random (None: none)."""
        shown = impressions(results)
        arm = ensure_arm(arm, InvalidSearch)
        swapped_at = ensure_swap(swapped_at, len(shown))
        if not isinstance(query, str):
            raise InvalidSearch("query must be a string", "query")
        search_id = hex_id("srch")
        with self.uow.begin() as tx:
            SearchRepository(tx.connection).add(
                search_id, session_id, customer_id, query, ranker, len(shown), tx.now
            )
            tx.record(
                events.SEARCH_PERFORMED,
                search_id,
                {
                    "search_id": search_id,
                    "session_id": session_id,
                    "customer_id": customer_id,
                    "query": query,
                    "ranker": ranker,
                    "arm": arm,
                    "swapped_at": swapped_at,
                    "results": [i.payload() for i in shown],
                },
            )
        return search_id

    def record_click(
        self,
        search_id: str,
        session_id: str,
        customer_id: str | None,
        product_id: str,
        position: int,
    ) -> None:
        position = ensure_position(position)
        with self.uow.begin() as tx:
            if not SearchRepository(tx.connection).exists(search_id):
                raise SearchNotFound(search_id)
            tx.record(
                events.SEARCH_RESULT_CLICKED,
                search_id,
                {
                    "search_id": search_id,
                    "session_id": session_id,
                    "customer_id": customer_id,
                    "product_id": product_id,
                    "position": position,
                },
            )

    def record_recommendations(
        self,
        session_id: str,
        customer_id: str | None,
        surface: str,
        anchor_product_id: str | None,
        recommender: str,
        strategy: str,
        items: Iterable[Mapping[str, Any]],
        arm: str | None = None,
    ) -> str:
        """A list shown on `surface` ("feed" or "similar", the latter on the page of
        `anchor_product_id`) to a shopper in A/B `arm`; returns its id (`rec-<hex>`), which
        clicks and cart adds name."""
        shown_list = recommendation_list(surface, anchor_product_id, recommender, strategy)
        arm = ensure_arm(arm, InvalidRecommendations)
        _shopper(session_id, customer_id)
        shown = impressions(items, "items", InvalidRecommendations, teams=False)
        recommendation_id = hex_id("rec")
        with self.uow.begin() as tx:
            RecommendationListRepository(tx.connection).add(
                recommendation_id, session_id, customer_id, shown_list, len(shown), tx.now
            )
            tx.record(
                events.RECOMMENDATIONS_SHOWN,
                recommendation_id,
                {
                    "recommendation_id": recommendation_id,
                    "session_id": session_id,
                    "customer_id": customer_id,
                    "surface": shown_list.surface,
                    "anchor_product_id": shown_list.anchor_product_id,
                    "recommender": shown_list.recommender,
                    "strategy": shown_list.strategy,
                    "arm": arm,
                    "items": [i.payload() for i in shown],
                },
            )
        return recommendation_id

    def record_recommendation_click(
        self,
        recommendation_id: str,
        session_id: str,
        customer_id: str | None,
        product_id: str,
        position: int,
    ) -> None:
        """RecommendationNotFound when no such list was recorded; InvalidRecommendations for a
        position the list did not show."""
        invalid = InvalidRecommendations
        position = ensure_position(position, "position", invalid)
        product_id = ensure_text(product_id, "product_id", MAX_ID, invalid)
        _shopper(session_id, customer_id)
        with self.uow.begin() as tx:
            shown = RecommendationListRepository(tx.connection).item_count(recommendation_id)
            if shown is None:
                raise RecommendationNotFound(recommendation_id)
            # So every click in the lake has the impression it came from.
            if position > shown:
                raise invalid(f"the list showed {shown} items", "position")
            tx.record(
                events.RECOMMENDATION_CLICKED,
                recommendation_id,
                {
                    "recommendation_id": recommendation_id,
                    "session_id": session_id,
                    "customer_id": customer_id,
                    "product_id": product_id,
                    "position": position,
                },
            )

    def record_page_view(
        self,
        session_id: str,
        customer_id: str | None,
        page: str,
        path: str,
        product_id: str | None = None,
        referrer_page: str | None = None,
    ) -> str:
        """A page the shopper loaded; returns its id (`pv-<hex>`). Nothing but the event is
        written: no click or cart add refers back to a page view."""
        viewed = page_view(page, path, product_id, referrer_page)
        _shopper(session_id, customer_id, InvalidPageView)
        page_view_id = hex_id("pv")
        with self.uow.begin() as tx:
            tx.record(
                events.PAGE_VIEWED,
                page_view_id,
                {
                    "page_view_id": page_view_id,
                    "session_id": session_id,
                    "customer_id": customer_id,
                    **viewed.payload(),
                },
            )
        return page_view_id


def _shopper(
    session_id: object, customer_id: object, invalid: Refusal = InvalidRecommendations
) -> None:
    ensure_text(session_id, "session_id", MAX_NAME, invalid)
    if customer_id is not None:
        ensure_text(customer_id, "customer_id", MAX_ID, invalid)
