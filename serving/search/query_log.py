"""Popular past queries (from SearchPerformed events) for typeahead and spelling, kept as JSON."""

from __future__ import annotations

import bisect
import json
import os
from collections.abc import Iterable
from pathlib import Path

from consumers.checkpoint import FileCheckpoint
from consumers.feed import OutboxFeed
from contracts import events as ev
from serving.search.index.port import search_terms
from storeloop.settings import Settings

NAME = "search_query_log"
MAX_QUERIES = 50_000  # the long tail of one-off queries is dropped first


def normalize(query: str) -> str:
    return " ".join(search_terms(query))


def store_path(settings: Settings) -> Path:
    # Beside the index, not inside it: a full reindex swaps the index folder.
    return settings.search_index_dir.parent / "search_queries.json"


class QueryLog:
    """Query -> how many searches found something with it; prefix lookups by bisection.

    The file holds the outbox position its counts include: a consumer killed between saving the
    counts and its checkpoint resumes from here, so no search is counted twice."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.counts: dict[str, int] = {}
        self.position = 0
        self._sorted: list[str] = []
        if path is not None and path.exists():
            saved = json.loads(path.read_text())
            if "counts" not in saved:  # written before the position was kept with the counts
                saved = {"counts": saved, "position": 0}
            self.counts = {str(k): int(v) for k, v in saved["counts"].items()}
            self.position = int(saved.get("position", 0))
            self._sorted = sorted(self.counts)

    def record(self, queries: Iterable[str]) -> None:
        for query in queries:
            if key := normalize(query):
                self.counts[key] = self.counts.get(key, 0) + 1
        if len(self.counts) > MAX_QUERIES:
            kept = sorted(self.counts.items(), key=lambda item: -item[1])[:MAX_QUERIES]
            self.counts = dict(kept)
        self._sorted = sorted(self.counts)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"position": self.position, "counts": self.counts}))
        os.replace(temporary, self.path)  # readers never see half a file

    def popular(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        prefix = " ".join(prefix.lower().split())
        start = bisect.bisect_left(self._sorted, prefix)
        matches: list[tuple[str, int]] = []
        for query in self._sorted[start:]:
            if not query.startswith(prefix) or len(matches) >= 500:
                break
            matches.append((query, self.counts[query]))
        return sorted(matches, key=lambda item: (-item[1], item[0]))[:limit]

    def words(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for query, count in self.counts.items():
            for word in query.split():
                counts[word] = counts.get(word, 0) + count
        return list(counts.items())


class QueryLogConsumer:
    """Counts queries of SearchPerformed events that returned results; checkpoint after save."""

    def __init__(self, settings: Settings, batch_size: int = 5_000) -> None:
        self.log = QueryLog(store_path(settings))
        self.feed = OutboxFeed(settings.db_url)
        self.checkpoint = FileCheckpoint(settings.checkpoint_dir, NAME)
        self.batch_size = batch_size

    def run_once(self) -> int:
        position, recorded = max(self.checkpoint.position, self.log.position), 0
        while batch := self.feed.read(position, self.batch_size):
            queries = [
                str(event.payload.get("query") or "")
                for event in batch
                if event.type == ev.SEARCH_PERFORMED and event.payload.get("results")
            ]
            position = batch[-1].position or position
            self.log.record(queries)
            self.log.position = position
            self.log.save()
            self.checkpoint.save(position)
            recorded += len(queries)
        return recorded
