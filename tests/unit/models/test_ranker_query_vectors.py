"""Query vectors of the title encoder: encoded once per process for every ranker that uses the
packaged encoder (a champion, its challenger, the versions promoted later), least recently used
dropped first; an encoder of the caller's own keeps a cache of its own."""

from __future__ import annotations

import numpy as np
import pytest

from models.ranker import embeddings
from models.ranker.embeddings import DIMENSIONS, QueryVectors, TitleEmbeddings
from storeloop.settings import Settings


class CountingEncoder:
    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts, **_options):  # type: ignore[no-untyped-def]
        self.texts.extend(texts)
        return np.full((len(texts), DIMENSIONS), 1 / np.sqrt(DIMENSIONS), dtype=np.float32)


@pytest.fixture
def packaged(monkeypatch):  # type: ignore[no-untyped-def]
    """The packaged encoder, counted; the process's shared cache emptied before and after."""
    encoder = CountingEncoder()
    monkeypatch.setattr(embeddings, "load_encoder", lambda: encoder)
    embeddings.packaged_query_vectors.cache_clear()
    yield encoder
    embeddings.packaged_query_vectors.cache_clear()


def test_a_champion_and_its_challenger_encode_a_query_once(packaged, tmp_path):
    settings = Settings(data_dir=tmp_path)
    champion = TitleEmbeddings.from_store(settings)
    challenger = TitleEmbeddings.from_store(settings)
    lazy = TitleEmbeddings(None)  # loads the packaged encoder at its first text
    for ranker in (champion, challenger, lazy, champion):
        assert ranker.query_vector("red running shoes").shape == (DIMENSIONS,)
    assert packaged.texts == ["red running shoes"]
    challenger.warm_queries(["red running shoes", "blue kettle"])
    assert packaged.texts == ["red running shoes", "blue kettle"]


def test_an_encoder_of_its_own_keeps_its_own_vectors(packaged, tmp_path):
    TitleEmbeddings.from_store(Settings(data_dir=tmp_path)).query_vector("lamp")
    own = CountingEncoder()
    TitleEmbeddings(own).query_vector("lamp")
    TitleEmbeddings.from_store(Settings(data_dir=tmp_path), own).query_vector("lamp")
    assert packaged.texts == ["lamp"] and own.texts == ["lamp", "lamp"]


def test_the_least_recently_used_query_goes_first():
    vectors = QueryVectors(limit=2)
    one, two, three = (np.full(DIMENSIONS, n, dtype=np.float32) for n in (1, 2, 3))
    vectors.put("one", one)
    vectors.put("two", two)
    assert vectors.get("one") is one  # now the most recent
    vectors.put("three", three)
    assert "two" not in vectors and vectors.get("one") is one and vectors.get("three") is three
    assert len(vectors) == 2
