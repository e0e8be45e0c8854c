"""Query-time synonyms: each query word (or phrase) becomes a group of interchangeable forms."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from serving.search.index.port import search_terms

DEFAULT_FILE = Path(__file__).with_name("synonyms.txt")
MAX_PHRASE_WORDS = 3


@lru_cache(maxsize=4)
def load_synonyms(path: Path = DEFAULT_FILE) -> dict[str, tuple[str, ...]]:
    """Each form (its words joined by one space) to every form of its group, itself first."""
    groups: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        forms = [" ".join(search_terms(part)) for part in line.split(",")]
        forms = list(dict.fromkeys(form for form in forms if form))
        for form in forms:
            groups[form] = (form, *(other for other in forms if other != form))
    return groups


def term_groups(
    terms: list[str], synonyms: dict[str, tuple[str, ...]] | None = None
) -> list[tuple[str, ...]]:
    """Query words to groups, longest synonym phrase first: ["running", "shoes"] is one group."""
    synonyms = load_synonyms() if synonyms is None else synonyms
    groups: list[tuple[str, ...]] = []
    at = 0
    while at < len(terms):
        for width in range(min(MAX_PHRASE_WORDS, len(terms) - at), 0, -1):
            form = " ".join(terms[at : at + width])
            if width == 1 or form in synonyms:
                groups.append(synonyms.get(form, (form,)))
                at += width
                break
    return groups
