"""How a product's `category` text ("Home & Kitchen > Cookware") names a node of the category tree.

Part of the contract: the store builds its tree, the search index its ancestor paths and the lake
its levels with these same rules, so a path means the same node everywhere. A node is known by
its slug path ("home-kitchen/cookware"); names that differ only in case, accents or punctuation
are one node.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

SEPARATOR = ">"
PATH_SEPARATOR = "/"
MAX_DEPTH = 8  # deeper levels fold into the eighth: "A > ... > H > I" is "H > I" at level 8
_NOT_SLUG = re.compile(r"[^\w]+|_+")
_APOSTROPHES = str.maketrans("", "", "'’`")


def slugify(name: str) -> str:
    """ "Men's Shoes" -> "mens-shoes", "Café & Bar" -> "cafe-bar"; letters with no ASCII form
    stay; a name of punctuation alone gets a stable digest instead of an empty slug."""
    decomposed = unicodedata.normalize("NFKD", name.lower().translate(_APOSTROPHES))
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    slug = _NOT_SLUG.sub("-", folded).strip("-")
    return slug or "c-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def category_names(category: str | None) -> list[str]:
    """The levels of a category text, root first, blank levels dropped."""
    names = [" ".join(part.split()) for part in str(category or "").split(SEPARATOR)]
    names = [name for name in names if name]
    if len(names) > MAX_DEPTH:
        names = names[: MAX_DEPTH - 1] + [" > ".join(names[MAX_DEPTH - 1 :])]
    return names


def ancestor_paths(category: str | None) -> list[str]:
    """The slug path of every node from the root to the leaf: ["home-kitchen",
    "home-kitchen/cookware"]; [] for a product without a category."""
    paths: list[str] = []
    for name in category_names(category):
        parent = paths[-1] + PATH_SEPARATOR if paths else ""
        paths.append(parent + slugify(name))
    return paths


def category_levels(category: str | None) -> list[tuple[int, str, str, str]]:
    """(level, node id, slug path, name) of every node from the root to the leaf, level 1 the
    root: the rows the lake keeps of a product's category."""
    return [
        (level, category_id(path), path, name)
        for level, (name, path) in enumerate(
            zip(category_names(category), ancestor_paths(category), strict=True), start=1
        )
    ]


def category_id(path: str) -> str:
    """A node's id, derived from its slug path: every database and the migration agree on it
    without a sequence, and two writers creating the same node collide on one key."""
    return "cat-" + hashlib.sha256(path.encode()).hexdigest()[:12]


def filter_term(value: str) -> tuple[str, str]:
    """What a `category:` filter asks, as one exact term: ("path", slug path) for a path or a
    category text ("home-kitchen/cookware", "Home & Kitchen > Cookware": that node and below),
    else ("word", slug): any node whose name has that word or is that name ("kitchen",
    "Home & Kitchen")."""
    if SEPARATOR in value:
        paths = ancestor_paths(value)
        return "path", paths[-1] if paths else ""
    parts = [slugify(part) for part in value.split(PATH_SEPARATOR) if part.strip()]
    if len(parts) > 1:
        return "path", PATH_SEPARATOR.join(parts)
    return "word", parts[0] if parts else ""


def node_words(category: str | None) -> list[str]:
    """The terms a `category:` word matches: every ancestor's slug and each word of its name."""
    words: set[str] = set()
    for name in category_names(category):
        slug = slugify(name)
        words.add(slug)
        words.update(slug.split("-"))
    return sorted(words)
