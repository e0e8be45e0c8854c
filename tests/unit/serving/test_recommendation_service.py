"""Recommendations and similar products as serving answers them: the history is read per request,
every response names its recommender, kind, strategy and fallback, sold-out products never show.

Unit tests of the service layer: the online store is a fake (`Shoppers`, an in-memory
`for_shopper`), and so is the title encoder (`WordsEncoder`, words hashed into a vector); the index
is a real tantivy index and the recommender a real version's modules.
"""

from __future__ import annotations

import threading
import time
import zlib
from dataclasses import dataclass, field

import numpy as np
import pytest

from models.ranker.embeddings import TitleEmbeddings
from models.recommender.model import ProductScorer
from models.recommender.predict import Recommender
from models.recommender.scorers import CoOccurrenceScorer
from tests.unit.serving.test_search_service import filled_index

PRODUCTS = [  # id, title, brand, category, price, rating, stock
    ("p-1", "Steel kettle", "Acme", "Kitchen", 30.0, 4.8, 5),
    ("p-2", "Glass kettle", "Bolt", "Kitchen", 60.0, 4.1, 0),
    ("p-3", "Kettle descaler", "Acme", "Kitchen", 8.0, 3.5, 10),
    ("p-4", "Running shoes", "Swift", "Shoes", 80.0, 4.9, 2),
    ("p-5", "Trail running shoes", "Swift", "Shoes", 90.0, 4.0, 7),
    ("p-6", "Running socks", "Swift", "Shoes", 9.0, 3.0, 40),
    ("p-new", "Copper kettle", "Acme", "Kitchen", 45.0, 0.0, 3),  # listed after training
]
VOCABULARY = ["p-1", "p-2", "p-3", "p-4", "p-5", "p-6"]


class WordsEncoder:
    """Fake sentence encoder: each lower-cased word adds a fixed random direction."""

    def encode(self, texts, **_):
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row] += np.random.default_rng(zlib.crc32(word.encode())).normal(size=384)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


@dataclass
class Shopper:
    recent_products: list[str]
    purchased_products: list[str] = field(default_factory=list)


class Shoppers:
    """Fake online store: None for a shopper it does not know."""

    def __init__(self, **known: Shopper) -> None:
        self.known = {k.replace("_", "-"): v for k, v in known.items()}

    def for_shopper(self, customer_id):
        return self.known.get(customer_id)


@pytest.fixture
def index(settings):
    return filled_index(settings, PRODUCTS)


@pytest.fixture
def recommender():
    # Shoppers went kettle 1 -> 3 and shoes 4 -> 5 -> 6 (item ids are vocabulary positions + 1).
    knn = CoOccurrenceScorer.fit([[1, 3]] * 3 + [[4, 5, 6]] * 3, len(VOCABULARY))
    popular = [("p-6", 0.4), ("p-4", 0.3), ("p-1", 0.2), ("p-3", 0.1)]
    neighbours = {"p-1": [("p-2", 2.0), ("p-3", 1.5)]}
    return Recommender("7", ProductScorer(knn, VOCABULARY, "item_knn"), popular, neighbours)


@pytest.fixture
def embeddings():
    encoder = WordsEncoder()
    stored = [p for p in PRODUCTS if p[0] != "p-new"]  # the new listing is not in the store yet
    vectors = encoder.encode([title for _, title, *_ in stored])
    return TitleEmbeddings(encoder, {p[0]: v for p, v in zip(stored, vectors, strict=True)})


def service(settings, index, recommender=None, features=None, embeddings=None):
    from serving.recommend.service import RecommendationService

    return RecommendationService(settings, recommender, index, features, embeddings)


def ids(response):
    return [item["product_id"] for item in response["items"]]


def test_a_known_shopper_is_ranked_from_the_history_read_now(settings, index, recommender):
    features = Shoppers(c_1=Shopper(["p-1"]))
    served = service(settings, index, recommender, features)
    first = served.recommend("c-1", 2)
    assert (first["recommender"], first["kind"], first["strategy"], first["fallback"]) == (
        "7", "item_knn", "item_knn", None,
    )  # fmt: skip
    assert ids(first)[0] == "p-3"
    features.known["c-1"] = Shopper(["p-1", "p-4"], purchased_products=["p-4"])  # just bought
    after = served.recommend("c-1", 2)
    assert ids(after)[0] == "p-5" and ids(after) != ids(first)  # same model, the next list moved
    assert "p-4" not in ids(after)


def test_an_unknown_shopper_gets_the_versions_popular_products_and_says_so(
    settings, index, recommender
):
    features = Shoppers(c_2=Shopper(["p-999"]))  # known to the store, not to this version
    for customer in ("c-new", "c-2"):
        result = service(settings, index, recommender, features).recommend(customer, 3)
        assert (result["strategy"], result["fallback"]) == ("popularity", "unknown_customer")
        assert result["recommender"] == "7"
        assert ids(result) == ["p-6", "p-4", "p-1"]


def test_sold_out_and_unknown_products_never_show(settings, index, recommender):
    features = Shoppers(c_1=Shopper(["p-4"]))
    items = service(settings, index, recommender, features).recommend("c-1", 6)["items"]
    assert all(item["stock"] > 0 for item in items)
    assert "p-2" not in [item["product_id"] for item in items]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))


def test_without_a_recommender_the_index_popularity_is_served_and_named(settings, index):
    result = service(settings, index, features=Shoppers()).recommend("c-1", 3)
    assert (result["recommender"], result["kind"], result["fallback"]) == (
        "popularity", "popularity", "no_recommender",
    )  # fmt: skip
    assert ids(result) == ["p-4", "p-1", "p-5"]  # top-rated in stock (no rating counts here)


def test_a_product_sold_out_since_the_popular_list_was_read_is_not_served(settings, index):
    served = service(settings, index, features=Shoppers())
    assert ids(served.recommend("c-1", 3)) == ["p-4", "p-1", "p-5"]
    index.upsert([{"product_id": "p-4", "title": "Running shoes", "description": "",
                   "brand": "Swift", "category": "Shoes", "price": 80.0, "rating": 4.9,
                   "stock": 0}])  # fmt: skip
    index.commit()
    assert ids(served.recommend("c-1", 3)) == ["p-1", "p-5", "p-3"]  # the list is still cached


def test_a_broken_recommender_degrades_and_names_the_error(settings, index):
    class Broken:
        version, kind = "8", "sasrec"

        def knows(self, history):
            return True

        def recommend(self, *args, **kwargs):
            raise RuntimeError("boom")

    result = service(settings, index, Broken(), Shoppers(c_1=Shopper(["p-1"]))).recommend("c-1", 2)
    assert result["fallback"] == "recommender_error:RuntimeError"
    assert result["recommender"] == "popularity" and len(result["items"]) == 2


class Slow:
    """A version that answers, but later than a request may wait."""

    version, kind = "9", "sasrec"

    def __init__(self) -> None:
        self.released = threading.Event()

    def knows(self, history):
        return True

    def recommend(self, *args, **kwargs):
        self.released.wait(5)
        return [("p-3", 1.0)]

    def similar(self, *args, **kwargs):
        self.released.wait(5)
        return [("p-3", 1.0)]

    def popular(self, *args, **kwargs):
        raise AssertionError("a version past its budget is not asked again")


def test_a_recommender_past_its_budget_answers_popular_products_in_time_and_says_so(
    settings, index
):
    slow = Slow()
    served = service(settings.model_copy(update={"recommend_budget_s": 0.2}), index, slow,
                     Shoppers(c_1=Shopper(["p-1"])))  # fmt: skip
    try:
        for ask in (lambda: served.recommend("c-1", 2), lambda: served.similar("p-4", 2)):
            started = time.monotonic()
            result = ask()
            assert time.monotonic() - started < 2.0
            assert (result["fallback"], result["recommender"]) == ("over_budget", "popularity")
            assert len(result["items"]) == 2 and "p-3" not in ids(result)
    finally:
        slow.released.set()


def test_similar_products_are_neighbours_in_stock_without_the_product_itself(
    settings, index, recommender, embeddings
):
    result = service(settings, index, recommender, embeddings=embeddings).similar("p-1", 3)
    assert result["strategy"] == "also_bought" and result["fallback"] is None
    assert ids(result)[0] == "p-3" and "p-2" not in ids(result) and "p-1" not in ids(result)


def test_a_new_product_gets_look_alikes_by_title_not_the_popular_list(
    settings, index, recommender, embeddings
):
    result = service(settings, index, recommender, embeddings=embeddings).similar("p-new", 2)
    assert (result["strategy"], result["fallback"]) == ("content", None)
    assert set(ids(result)) == {"p-1", "p-3"}  # the in-stock kettles; p-2 is sold out
    assert ids(result) != [p for p, _ in recommender.popular(2)]


def test_a_product_outside_the_catalog_gets_popular_products_and_says_so(
    settings, index, recommender, embeddings
):
    result = service(settings, index, recommender, embeddings=embeddings).similar("p-gone", 2)
    assert (result["strategy"], result["fallback"]) == ("popularity", "unknown_product")
    assert ids(result) == ["p-6", "p-4"]


def test_similar_leaves_out_what_the_customer_bought(settings, index, recommender, embeddings):
    features = Shoppers(c_1=Shopper(["p-3"], purchased_products=["p-3"]))
    served = service(settings, index, recommender, features, embeddings)
    assert "p-3" not in ids(served.similar("p-1", 3, customer_id="c-1"))
    assert "p-3" in ids(served.similar("p-1", 3))


def test_without_a_recommender_similar_still_reads_titles(settings, index, embeddings):
    result = service(settings, index, embeddings=embeddings).similar("p-5", 2)
    assert (result["strategy"], result["fallback"]) == ("content", "no_recommender")
    assert set(ids(result)) <= {"p-4", "p-6"}


# A family (catalog.variants): the parent f-hoodie is never indexed; its sizes are.
HOODIES = [  # id, title, stock
    ("h-s", "Swift hoodie, Size S", 0),
    ("h-m", "Swift hoodie, Size M", 5),
    ("h-l", "Swift hoodie, Size L", 3),
]
FAMILY_VOCABULARY = ["p-1", "p-3", "f-hoodie", "p-6"]  # what a model of families knows


@pytest.fixture
def family_index(settings):
    index = filled_index(settings, PRODUCTS)
    index.upsert(
        {"product_id": p, "title": t, "description": "", "brand": "Swift", "category": "Shoes",
         "price": 40.0, "rating": 4.5, "stock": s, "family_id": "f-hoodie"}
        for p, t, s in HOODIES
    )  # fmt: skip
    index.commit()
    return index


@pytest.fixture
def family_model():
    # Shoppers went kettle p-1 -> the hoodie (in some size) -> socks p-6.
    knn = CoOccurrenceScorer.fit([[1, 3, 4]] * 3 + [[2, 4]], len(FAMILY_VOCABULARY))
    popular = [("f-hoodie", 0.5), ("p-6", 0.4), ("p-1", 0.2)]
    neighbours = {"f-hoodie": [("p-6", 2.0), ("p-1", 1.0)]}
    scorer = ProductScorer(knn, FAMILY_VOCABULARY, "item_knn")
    return Recommender("9", scorer, popular, neighbours)


def test_a_recommended_family_shows_once_as_a_variant_in_stock(
    settings, family_index, family_model
):
    features = Shoppers(c_1=Shopper(["p-1"]))
    items = service(settings, family_index, family_model, features).recommend("c-1", 3)["items"]
    hoodies = [item for item in items if item.get("family_id") == "f-hoodie"]
    assert [item["product_id"] for item in hoodies] == ["h-m"]  # h-s is sold out
    assert all("family_id" not in item for item in items if item["product_id"].startswith("p-"))


def test_the_size_a_shopper_viewed_is_the_one_shown_and_a_size_bought_counts_the_family_bought(
    settings, family_index, family_model
):
    features = Shoppers(c_1=Shopper(["p-1", "h-l"]))
    served = service(settings, family_index, family_model, features)
    viewed = served.recommend("c-1", 4)
    assert viewed["fallback"] is None
    assert [i["product_id"] for i in viewed["items"] if i.get("family_id")] == ["h-l"]
    features.known["c-1"] = Shopper(["p-1", "h-l"], purchased_products=["h-l"])
    bought = served.recommend("c-1", 2)  # enough else to show: the hoodie, in any size, is not
    assert not any(item.get("family_id") == "f-hoodie" for item in bought["items"])


def test_similar_products_of_a_size_are_never_its_own_other_sizes(
    settings, family_index, family_model, embeddings
):
    served = service(settings, family_index, family_model, embeddings=embeddings)
    result = served.similar("h-m", 3)
    assert result["strategy"] == "also_bought"
    assert ids(result)[0] == "p-6"  # the family's neighbours, asked by its family
    assert not {"h-s", "h-l", "h-m"} & set(ids(result))
    without_model = service(settings, family_index, embeddings=embeddings).similar("h-m", 3)
    assert not {"h-s", "h-l", "h-m"} & set(ids(without_model))


def test_a_model_that_knows_sizes_apart_still_shows_a_family_once(settings, family_index):
    knn = CoOccurrenceScorer.fit([[1, 2, 3]] * 3, 3)
    sizes = Recommender("3", ProductScorer(knn, ["p-1", "h-m", "h-l"], "item_knn"), [], {})
    features = Shoppers(c_1=Shopper(["p-1"]))
    items = service(settings, family_index, sizes, features).recommend("c-1", 5)["items"]
    assert [i["product_id"] for i in items if i.get("family_id")] == ["h-m"]
    assert len({item["product_id"] for item in items}) == len(items)
