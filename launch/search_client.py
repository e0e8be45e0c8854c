"""Serving as the simulator calls it in-process (tests, a launcher without Ray): SearchService and
RecommendationService following the champions, behind the simulator's serving client protocol."""

from __future__ import annotations

from typing import Any

from serving.champions import CHALLENGER, RANKER, RECOMMENDER, ChampionSlot
from serving.features import OnlineFeatures
from serving.recommend.service import RecommendationService
from serving.search.service import SearchResponse, SearchService
from simulation.serving_client import SEARCH_LIMIT
from storeloop.settings import Settings


class InProcessServing:
    """`search`, `feed`, `similar` answer with serving's JSON (the HTTP API's bodies);
    `refresh()` picks up new champions after training, as serving's watcher would."""

    def __init__(self, settings: Settings) -> None:
        self._ranker = ChampionSlot(settings, RANKER)
        self._recommender = ChampionSlot(settings, RECOMMENDER)
        self._challenger = ChampionSlot(settings, RANKER, CHALLENGER)
        for slot in (self._ranker, self._recommender, self._challenger):
            slot.refresh()
        features = OnlineFeatures(settings)
        self.search_service = SearchService(
            settings, ranker=self._ranker.model, features=features,
            challenger=self._challenger.model,
        )  # fmt: skip
        self.recommendations = RecommendationService(
            settings,
            recommender=self._recommender.model,
            index=self.search_service.index,
            features=features,
        )

    def search_response(self, query: str, customer_id: str | None = None) -> SearchResponse:
        return self.search_service.search(query, customer_id=customer_id, limit=SEARCH_LIMIT)

    def search(self, query: str, customer_id: str | None) -> dict[str, Any]:
        return self.search_response(query, customer_id).as_dict()

    def feed(self, customer_id: str, k: int) -> dict[str, Any]:
        return self.recommendations.recommend(customer_id, k)

    def similar(self, product_id: str, customer_id: str | None, k: int) -> dict[str, Any]:
        return self.recommendations.similar(product_id, k, customer_id)

    def refresh(self) -> bool:
        """True when an alias moved; requests after it are served by the new models."""
        slots = (self._ranker, self._recommender, self._challenger)
        ranker_moved, recommender_moved, challenger_moved = (s.refresh() for s in slots)
        if ranker_moved:
            self.search_service.ranker = self._ranker.model
        if recommender_moved:
            self.recommendations.recommender = self._recommender.model
        if challenger_moved:
            self.search_service.challenger = self._challenger.model
        return ranker_moved or recommender_moved or challenger_moved


class InProcessSearch:
    """`search(query, customer_id)` alone, as a callable: the simulator then shows search only."""

    def __init__(self, settings: Settings) -> None:
        self.serving = InProcessServing(settings)
        self.service = self.serving.search_service

    def __call__(self, query: str, customer_id: str | None = None) -> SearchResponse:
        return self.serving.search_response(query, customer_id)

    def refresh(self) -> None:
        self.serving.refresh()
