"""Typeahead: completions of a prefix from popular past queries and from product titles."""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any

from serving.search.index import SearchIndex, SearchIndexError
from serving.search.query_log import QueryLog
from serving.search.query_parser import as_text

MAX_PREFIX_CHARS = 100
_WORDS = re.compile(r"[^\W_]+")


class SuggestService:
    """`suggest(prefix)` answers from the query log first (what shoppers asked for), then titles."""

    def __init__(self, index: SearchIndex, queries: QueryLog | None = None) -> None:
        self.index = index
        self.queries = queries or QueryLog()

    def suggest(self, prefix: Any, limit: int = 8) -> dict[str, Any]:
        started = time.perf_counter()
        text = as_text(prefix)[:MAX_PREFIX_CHARS].lower()
        limit = max(1, min(int(limit or 8), 20))
        suggestions: list[dict[str, Any]] = []
        words = _WORDS.findall(text)
        if words:
            for query, count in self.queries.popular(" ".join(words), limit):
                suggestions.append({"text": query, "source": "query", "count": count})
            # An index that cannot complete still leaves the query log's suggestions.
            with contextlib.suppress(SearchIndexError, ValueError):
                suggestions += self._from_titles(words, text.endswith(" "), limit)
        seen: set[str] = set()
        unique = []
        for suggestion in suggestions:  # first occurrence wins: past queries before titles
            if suggestion["text"] not in seen:
                seen.add(suggestion["text"])
                unique.append(suggestion)
        took_ms = round((time.perf_counter() - started) * 1000, 3)
        return {"prefix": text, "suggestions": unique[:limit], "took_ms": took_ms}

    def _from_titles(self, words: list[str], word_done: bool, limit: int) -> list[dict[str, Any]]:
        head, last = words[:-1], words[-1]
        found = []
        if not word_done:
            # The word being typed, completed from title words: "steel ke" -> "steel kettle".
            for term, count in self.index.vocabulary(last, limit, tuple(head)):
                found.append({"text": " ".join([*head, term]), "source": "title", "count": count})
        for title in self.index.titles_starting(words, limit):
            found.append({"text": " ".join(title.lower().split()), "source": "title", "count": 1})
        return found
