"""The search API as the simulator calls it in-process: SearchService following the champion."""

from __future__ import annotations

from serving.champions import RANKER, ChampionSlot
from serving.features import OnlineFeatures
from serving.search.service import SearchResponse, SearchService
from storeloop.settings import Settings


class InProcessSearch:
    """`search(query, customer_id)`; `refresh()` picks up a new champion ranker after training."""

    def __init__(self, settings: Settings) -> None:
        self._ranker = ChampionSlot(settings, RANKER)
        self._ranker.refresh()
        self.service = SearchService(
            settings, ranker=self._ranker.model, features=OnlineFeatures(settings)
        )

    def __call__(self, query: str, customer_id: str | None = None) -> SearchResponse:
        return self.service.search(query, customer_id=customer_id, limit=20)

    def refresh(self) -> None:
        if self._ranker.refresh():
            self.service.ranker = self._ranker.model
