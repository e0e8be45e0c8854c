"""Word handling shared by the hidden-truth relevance and the query writer: tokens, stems, typos.

Deliberately simple and independent of any search engine, so the truth never borrows its
notion of a match from the system it is used to judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

MIN_TYPO_LENGTH = 5
STOPWORDS = frozenset(
    {"a", "an", "and", "the", "for", "with", "of", "in", "on", "to", "by", "cheap", "best", "new"}
)
_TOKEN = re.compile(r"[a-z0-9]+(?:[.][0-9]+)?")
_PRICE_PHRASE = re.compile(r"\b(?:under|below|less than)\s+\$?(\d+(?:\.\d+)?)\b")


def stem(word: str) -> str:
    """Plural folding only: enough to make 'sneakers' meet 'sneaker'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=16384)
def _stemmed_tokens(text: str) -> tuple[str, ...]:
    folded = text.lower().replace("'", "").replace("-", "")
    return tuple(stem(t) for t in _TOKEN.findall(folded))


def tokens(text: str) -> list[str]:
    """Lowercased, apostrophes and hyphens folded ("men's" -> "mens", "t-shirt" -> "tshirt")."""
    return list(_stemmed_tokens(text))


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def fuzzy_in(word: str, vocabulary: frozenset[str]) -> bool:
    """Exact membership, or one typo away from a word of the vocabulary (words of 5+ letters:
    shorter ones are too often a real word one letter from another, like care/card)."""
    if word in vocabulary:
        return True
    if len(word) < MIN_TYPO_LENGTH:
        return False
    return any(len(v) >= MIN_TYPO_LENGTH and within_one_edit(word, v) for v in vocabulary)


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...]  # content tokens, stemmed, stopwords and price phrase removed
    price_cap: Decimal | None


def parse_query(query: str) -> ParsedQuery:
    lowered = query.lower()
    cap = None
    match = _PRICE_PHRASE.search(lowered)
    if match:
        cap = Decimal(match.group(1))
        lowered = lowered[: match.start()] + " " + lowered[match.end() :]
    words = tuple(dict.fromkeys(t for t in tokens(lowered) if t not in STOPWORDS))
    return ParsedQuery(words=words, price_cap=cap)
