"""SQL record of searches and recommendation lists, so a click can be checked against the list
it came from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Connection, Integer, String, Table, bindparam, insert, select

from transactional.common.clock import iso
from transactional.common.db import metadata
from transactional.storefront.domain import RecommendationList

searches = Table(
    "searches",
    metadata,
    Column("search_id", String(40), primary_key=True),
    Column("session_id", String(64), nullable=False),
    Column("customer_id", String(32)),
    Column("query", String(500), nullable=False),
    Column("ranker", String(64), nullable=False),
    Column("result_count", Integer, nullable=False),
    Column("searched_at", String(40), nullable=False),
)

recommendation_lists = Table(
    "recommendation_lists",
    metadata,
    Column("recommendation_id", String(40), primary_key=True),
    Column("session_id", String(64), nullable=False),
    Column("customer_id", String(32)),
    Column("surface", String(16), nullable=False),
    Column("anchor_product_id", String(32)),
    Column("recommender", String(64), nullable=False),
    Column("strategy", String(64), nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("shown_at", String(40), nullable=False),
)


_INSERT = insert(searches)
_EXISTS = select(searches.c.search_id).where(searches.c.search_id == bindparam("search_id"))
_INSERT_LIST = insert(recommendation_lists)
_LIST_SIZE = select(recommendation_lists.c.item_count).where(
    recommendation_lists.c.recommendation_id == bindparam("recommendation_id")
)


class SearchRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        search_id: str,
        session_id: str,
        customer_id: str | None,
        query: str,
        ranker: str,
        result_count: int,
        now: datetime,
    ) -> None:
        self.connection.execute(
            _INSERT,
            {
                "search_id": search_id,
                "session_id": session_id,
                "customer_id": customer_id,
                "query": query,
                "ranker": ranker,
                "result_count": result_count,
                "searched_at": iso(now),
            },
        )

    def exists(self, search_id: str) -> bool:
        return self.connection.execute(_EXISTS, {"search_id": search_id}).first() is not None


class RecommendationListRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(
        self,
        recommendation_id: str,
        session_id: str,
        customer_id: str | None,
        shown: RecommendationList,
        item_count: int,
        now: datetime,
    ) -> None:
        self.connection.execute(
            _INSERT_LIST,
            {
                "recommendation_id": recommendation_id,
                "session_id": session_id,
                "customer_id": customer_id,
                "surface": shown.surface,
                "anchor_product_id": shown.anchor_product_id,
                "recommender": shown.recommender,
                "strategy": shown.strategy,
                "item_count": item_count,
                "shown_at": iso(now),
            },
        )

    def item_count(self, recommendation_id: str) -> int | None:
        """How many items the list showed; None when no such list was recorded."""
        found = self.connection.execute(_LIST_SIZE, {"recommendation_id": recommendation_id})
        return found.scalar_one_or_none()
