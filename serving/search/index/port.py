"""The search index port: one abstract base class, one query spec, adapters for tantivy and ES."""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from contracts.categories import ancestor_paths, category_names, filter_term, node_words

# A product document as indexed (the read model kept from catalog and stock events).
DOC_FIELDS = (
    "product_id",
    "title",
    "description",
    "brand",
    "category",
    "price",
    "rating",
    "rating_count",
    "stock",
    "in_stock",
    "created_at",
    "family_id",
    "options",
)
TITLE_BOOST = 3.0
# Title over description over brand and category: a brand word in a description is weak evidence.
# A variant's option names and values ("size 12 colour red") match like its description.
FIELD_BOOSTS = {
    "title": TITLE_BOOST,
    "description": 1.0,
    "brand": 0.8,
    "category": 0.8,
    "option_text": 1.0,
}
# A variant's family (its parent's id) as an exact term, absent on standalone products, so that
# counting its values and their distinct ones tells how many variants and families matched.
VARIANT_OF = "variant_of"
# A family's sizes share its title's words: typeahead reads this many title hits per title it
# lists, so that one large family does not crowd out the titles after it.
TITLE_HITS_PER_TITLE = 6
PRICE_BUCKETS = ((None, 25.0), (25.0, 50.0), (50.0, 100.0), (100.0, 200.0), (200.0, None))
RATING_STEPS = (4.0, 3.0, 2.0, 1.0)
# Same split as tantivy's default tokenizer: runs of letters and digits, lower-cased.
_WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 32
# Category levels the facets can count at (`QuerySpec.category_level`); filters work at any depth.
FACET_LEVELS = 4
# The exact-match fields of a product's category: every ancestor's slug path, every ancestor's
# slug and name words, and the name path down to each level (what a level's facet counts).
CATEGORY_PATH, CATEGORY_WORD = "category_path", "category_word"
LEVEL_FIELDS = tuple(f"category_level_{level}" for level in range(1, FACET_LEVELS + 1))


# Letters NFKD does not decompose, folded as tantivy's and Elasticsearch's ASCII folding do.
_FOLD_EXTRA = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d"})


def fold(word: str) -> str:
    """Lower-cased, accents dropped: "Café" -> "cafe"; letters with no ASCII form stay."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_FOLD_EXTRA))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_terms(text: str) -> list[str]:
    """Query words as the index's folded fields hold them."""
    return [fold(word) for word in _WORD.findall(text or "") if len(word) <= 40][:MAX_TERMS]


def facet_key(value: Any) -> str:
    """The exact-match form of a brand or category: trimmed, lower-cased, accents folded."""
    return fold(str(value or "").strip())


@lru_cache(maxsize=8_192)
def category_fields(category: str) -> dict[str, Any]:
    """The exact-match fields of a category text, for a document: "Home & Kitchen > Cookware"
    is under "home-kitchen" and "home-kitchen/cookware", matches the words "home", "kitchen",
    "home-kitchen" and "cookware", and counts as "Home & Kitchen" at level 1. Cached (a catalog
    has far fewer categories than products): callers copy it, never change it."""
    names = category_names(category)
    levels = {
        field: " > ".join(names[:depth])
        for depth, field in enumerate(LEVEL_FIELDS, start=1)
        if depth <= len(names)
    }
    return {CATEGORY_PATH: ancestor_paths(category), CATEGORY_WORD: node_words(category), **levels}


def category_filter(value: str) -> tuple[str, str]:
    """The one exact term a `category:` filter is: (field, term). A path or a category text asks
    for that node and below; a word or a name for every node it names, and below."""
    kind, term = filter_term(value)
    return (CATEGORY_PATH if kind == "path" else CATEGORY_WORD), term


@dataclass(frozen=True)
class QuerySpec:
    """What to ask the index; every filter optional. No terms means every product."""

    terms: tuple[str, ...] = ()
    match_all_terms: bool = True
    brand: str | None = None
    category: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock_only: bool = False
    order_by_rating: bool = False
    limit: int = 20
    # Each group is one query word (or synonym phrase) and its synonyms; when given it replaces
    # `terms` for matching. Adapters that know no synonyms may keep using `terms`.
    groups: tuple[tuple[str, ...], ...] = ()
    phrases: tuple[str, ...] = ()
    rating_min: float | None = None
    sort: str = "relevance"  # relevance | price_asc | price_desc | rating | newest
    fuzzy: str = "light"  # off | light (title, low boost) | broad (title and description)
    offset: int = 0
    out_of_stock_only: bool = False  # the second half of a stock-demoted result list
    category_level: int | None = None  # facets also count category nodes at this level (1-4)
    family_ids: tuple[str, ...] = ()  # only these families' products (a page's variants)


@dataclass(frozen=True)
class Hit:
    product_id: str
    score: float
    doc: dict[str, Any]
    matching_variants: int = 1  # of a collapsed family's hit: how many of its variants matched


@dataclass(frozen=True)
class SearchHits:
    total: int
    hits: list[Hit] = field(default_factory=list)


class SearchIndexError(Exception):
    """Typed failure of an index adapter; `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class SearchIndex(ABC):
    """Writes are visible to `search`, `get` and `count` after `commit()`."""

    @abstractmethod
    def upsert(self, docs: Iterable[dict[str, Any]]) -> None: ...

    @abstractmethod
    def delete(self, product_ids: Iterable[str]) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def search(self, spec: QuerySpec) -> SearchHits: ...

    @abstractmethod
    def get(self, product_ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    @abstractmethod
    def count(self) -> int: ...

    def facets(self, spec: QuerySpec) -> dict[str, list[dict[str, Any]]]:
        """Counts by brand, category, price bucket and rating over what `spec` matches, and by
        category node at `spec.category_level` when it is set; a family's variants count once."""
        return {}

    def holds_variants(self) -> bool:
        """Whether any variant may be indexed: when not, a search needs no collapsing. May say
        True of an index whose variants are all gone (the answer stays right, only slower)."""
        return True

    def family_counts(self, spec: QuerySpec) -> tuple[int, int, int]:
        """What `spec` matches: (products, variants among them, distinct families of those)."""
        found = self.search(replace(spec, limit=1, offset=0))
        return found.total, 0, 0

    def vocabulary(
        self, prefix: str = "", limit: int | None = None, within: tuple[str, ...] = ()
    ) -> list[tuple[str, int]]:
        """Title words starting with `prefix` and how many products (whose title has every word
        of `within`) have each, commonest first."""
        return []

    def titles_starting(self, words: list[str], limit: int) -> list[str]:
        """Titles of products whose title has `words` in a row, the last one as a prefix; a
        family's once, as `family_title` gives it."""
        return []

    def refresh(self) -> None:  # noqa: B027 - optional hook; most adapters read live
        """Makes the latest commit (and a reindex's new index) visible now, not within moments."""

    def close(self) -> None:  # noqa: B027 - optional hook; most adapters hold nothing to release
        """Releases writers or connections."""


def normalize_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """Coerces a product document to the index's types; `in_stock` always follows `stock`.
    `family_id` is a variant's parent (`parent_id` in catalog events), else the product itself."""
    stock = int(doc.get("stock") or 0)
    product_id = str(doc["product_id"])
    given = doc.get("options")
    options: dict[str, Any] = given if isinstance(given, dict) else {}
    return {
        "product_id": product_id,
        "title": str(doc.get("title") or ""),
        "description": str(doc.get("description") or ""),
        "brand": str(doc.get("brand") or ""),
        "category": str(doc.get("category") or ""),
        "price": float(doc.get("price") or 0.0),
        "rating": float(doc.get("rating") or 0.0),
        "rating_count": int(doc.get("rating_count") or 0),
        "stock": stock,
        "in_stock": stock > 0,
        "created_at": str(doc.get("created_at") or ""),
        "family_id": str(doc.get("family_id") or doc.get("parent_id") or product_id),
        "options": {str(name): str(value) for name, value in options.items()},
    }


def family_title(doc: dict[str, Any]) -> str:
    """A normalized document's title as its family is known: a variant's default title (the
    family's with its option values) without the values, any other title as it is."""
    title = doc["title"]
    if doc["family_id"] == doc["product_id"]:
        return title
    # The values in any order: an index may keep a variant's options sorted by name.
    values = [value.casefold() for value in doc["options"].values()]
    parts = title.split(", ")
    while len(parts) > 1 and parts[-1].casefold() in values:
        values.remove(parts.pop().casefold())
    return title if values else ", ".join(parts)


def family_titles(docs: Iterable[dict[str, Any]], limit: int) -> list[str]:
    """The first `limit` distinct family titles of normalized documents, in their order: a
    typeahead lists a family once, not once per size."""
    titles: dict[str, None] = {}
    families: set[str] = set()
    for doc in docs:
        if doc["family_id"] in families:
            continue
        families.add(doc["family_id"])
        titles.setdefault(family_title(doc))
        if len(titles) == limit:
            break
    return list(titles)


def variant_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """A normalized document's searchable option words and, for a variant, its family as an
    exact term; a standalone product gets none (what it matches and counts stays as it was)."""
    if doc["family_id"] == doc["product_id"]:
        return {}
    words = " ".join(f"{name} {value}" for name, value in doc["options"].items())
    return {"option_text": words, VARIANT_OF: doc["family_id"]}
