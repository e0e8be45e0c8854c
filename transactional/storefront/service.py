"""Storefront handlers: record a search with what it showed, and a click on one result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from contracts import events
from transactional.common.ids import hex_id
from transactional.common.uow import UnitOfWork
from transactional.storefront.domain import (
    InvalidSearch,
    SearchNotFound,
    ensure_position,
    impressions,
)
from transactional.storefront.repository import SearchRepository


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
    ) -> str:
        shown = impressions(results)
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
