"""SQL record of searches, so a click can be checked against the search it came from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Connection, Integer, String, Table, bindparam, insert, select

from transactional.common.clock import iso
from transactional.common.db import metadata

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


_INSERT = insert(searches)
_EXISTS = select(searches.c.search_id).where(searches.c.search_id == bindparam("search_id"))


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
