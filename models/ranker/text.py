"""Query-to-product text matches for the ranker: share of query words in title, brand, category.

Its own small tokenizer (plural folding, one-typo matches on long words), so a typo in the query
moves these features as little as it moves a shopper's intent.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+")
# Words that say how to search, not what: "cheap shoes under 50" is about shoes.
_NOISE = frozenset(
    ["a", "an", "and", "the", "for", "with", "of", "in", "on", "to", "by", "cheap", "best"]
    + ["new", "under", "below", "less", "than", "over"]
)
_MIN_TYPO = 5  # shorter words one letter apart are too often different words (card/care)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Content words of a text, lowercased and plural-folded; numbers dropped (prices, sizes)."""
    folded = (text or "").lower().replace("'", "").replace("-", "")
    return tuple(_stem(t) for t in _TOKEN.findall(folded) if t not in _NOISE and not t.isdigit())


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) <= 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _found(word: str, vocabulary: frozenset[str]) -> bool:
    if word in vocabulary:
        return True
    if len(word) < _MIN_TYPO:
        return False
    return any(len(v) >= _MIN_TYPO and _one_edit(word, v) for v in vocabulary)


@lru_cache(maxsize=131072)
def _vocabulary(text: str) -> frozenset[str]:
    return frozenset(words(text))


def share_found(query: str, text: str) -> float:
    """Share of the query's content words found in `text` (0 for an empty query)."""
    asked = words(query)
    if not asked:
        return 0.0
    vocabulary = _vocabulary(text or "")
    return sum(_found(w, vocabulary) for w in asked) / len(asked)
