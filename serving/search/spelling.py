"""'Did you mean': query words missing from the catalog vocabulary, replaced by close known ones."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable

from serving.search.index.port import search_terms
from serving.search.index.tantivy_query import edit_distance_for


def edit_distance(a: str, b: str, bound: int) -> int:
    """Edit distance with a swap of neighbours as one edit (as tantivy's fuzzy queries count),
    or bound + 1 as soon as it must exceed `bound`."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > bound:
            return bound + 1
        before, previous = previous, current
    return previous[-1]


class Speller:
    """Vocabulary: indexed title words plus words of popular past queries, re-read every ttl_s."""

    def __init__(
        self,
        catalog_words: Callable[[], Iterable[tuple[str, int]]],
        query_words: Callable[[], Iterable[tuple[str, int]]] = lambda: (),
        ttl_s: float = 60.0,
    ) -> None:
        self._sources = (catalog_words, query_words)
        self.ttl_s = ttl_s
        self._vocabulary: dict[str, int] = {}
        self._by_length: dict[int, list[tuple[str, int]]] = {}
        self._corrections: dict[str, str | None] = {}
        self._loaded_at = float("-inf")

    @property
    def vocabulary(self) -> dict[str, int]:
        if time.monotonic() - self._loaded_at > self.ttl_s:
            counts: dict[str, int] = {}
            for source in self._sources:
                for word, count in source():
                    counts[word] = counts.get(word, 0) + int(count)
            by_length: dict[int, list[tuple[str, int]]] = {}
            for known, count in counts.items():
                by_length.setdefault(len(known), []).append((known, count))
            self._vocabulary, self._by_length = counts, by_length
            self._corrections, self._loaded_at = {}, time.monotonic()
        return self._vocabulary

    def correct_word(self, word: str) -> str | None:
        """The closest known word (commonest among equals), None if `word` is known or hopeless."""
        vocabulary = self.vocabulary
        bound = edit_distance_for(word)
        if word in vocabulary or bound == 0 or word.isdigit():
            return None
        if word in self._corrections:  # shoppers repeat their typos; the answer holds till reload
            return self._corrections[word]
        best: tuple[int, int, str] | None = None
        # Only words within `bound` of this length can be within `bound` edits.
        for length in range(len(word) - bound, len(word) + bound + 1):
            for known, count in self._by_length.get(length, ()):
                distance = edit_distance(word, known, bound)
                if distance <= bound and (best is None or (distance, -count) < best[:2]):
                    best = (distance, -count, known)
        if len(self._corrections) < 100_000:
            self._corrections[word] = best[2] if best else None
        return best[2] if best else None

    def did_you_mean(self, text: str) -> str | None:
        """`text` with each unknown word corrected, or None when nothing changes."""
        corrections = {w: fix for w in set(search_terms(text)) if (fix := self.correct_word(w))}
        if not corrections:
            return None
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, corrections)) + r")\b", re.I)
        return " ".join(pattern.sub(lambda m: corrections[m.group(0).lower()], text).split())
