import pytest

from serving.search.index.tantivy_index import TantivyIndex
from serving.search.service import SearchService

PRODUCTS = [
    ("p-1", "Steel kettle", "Acme", "Kitchen", 30.0, 4.8, 5),
    ("p-2", "Glass kettle", "Bolt", "Kitchen", 60.0, 4.1, 0),
    ("p-3", "Kettle descaler", "Acme", "Cleaning", 8.0, 3.5, 10),
    ("p-4", "Running shoes", "Swift", "Shoes", 80.0, 4.9, 2),
]


def filled_index(settings, products) -> TantivyIndex:
    """A tantivy index of (id, title, brand, category, price, rating, stock) rows."""
    index = TantivyIndex(settings.search_index_dir)
    index.upsert(
        {"product_id": p, "title": t, "description": "", "brand": b, "category": c,
         "price": price, "rating": r, "stock": s}
        for p, t, b, c, price, r, s in products
    )  # fmt: skip
    index.commit()
    return index


@pytest.fixture
def index(settings):
    return filled_index(settings, PRODUCTS)


class PriceyFirst:
    version = "3"

    def score(self, rows):
        return [row["price"] for row in rows]


def ids(response):
    return [r["product_id"] for r in response.results]


def test_title_matches_rank_first_with_filters_and_metadata(settings, index):
    response = SearchService(settings, index=index).search("kettle under 50")
    assert ids(response) == ["p-1", "p-3"]
    assert response.ranker == "index" and response.ranker_fallback == "no_ranker"
    assert response.parsed["price_max"] == 50.0
    first = response.results[0]
    assert first["position"] == 1 and first["stock"] == 5 and first["brand"] == "Acme"
    assert set(first) == {"product_id", "title", "brand", "category", "price", "rating",
                          "stock", "position", "score"}  # fmt: skip


def test_brand_filter_in_stock_only_and_relaxed_matching(settings, index):
    service = SearchService(settings, index=index)
    assert ids(service.search("brand:acme kettle")) == ["p-1", "p-3"]
    assert ids(service.search("kettle", in_stock_only=True)) == ["p-1", "p-3"]
    assert ids(service.search("kettle unicorn"))[:1] == ["p-1"]  # no product has both words


def test_ranker_orders_results_and_is_named(settings, index):
    service = SearchService(settings, ranker=PriceyFirst(), index=index)
    response = service.search("kettle")
    # The ranker's favourite (p-2, the priciest) is sold out, so it follows the in-stock ones.
    assert ids(response) == ["p-1", "p-3", "p-2"]
    assert response.ranker == "3" and response.ranker_fallback is None


class IndexOrderChampion:
    """Index order that won the gate, registered as a version of its own."""

    version, kind = "5", "index"

    def score(self, rows):
        raise AssertionError("index order is not a model to score with")


class CountedFeatures:
    """The online store's reads, counted (a test double: Feast's own reads are tested with it)."""

    def __init__(self):
        self.products_read = []

    def for_ranking(self, product_ids, customer_id):
        from serving.features import RankingFeatures

        self.products_read.append(list(product_ids))
        return RankingFeatures({}, None, {})


def test_an_index_order_champion_reads_no_features_and_no_candidates_past_the_page(settings, index):
    features = CountedFeatures()
    service = SearchService(settings, ranker=IndexOrderChampion(), index=index, features=features)
    response = service.search("kettle", limit=1)
    assert ids(response) == ["p-1"] and response.ranker == "5" and response.total == 3
    assert features.products_read == [] and response.feature_fallback == {}
    service.ranker = PriceyFirst()  # a model that reorders reads them for every candidate
    assert ids(service.search("kettle", limit=1)) == ["p-1"]
    assert [sorted(read) for read in features.products_read] == [["p-1", "p-2", "p-3"]]


@pytest.mark.parametrize("query", ["", "   ", b"\xff\xfe", "\x00" * 50, "(((", "x" * 10_000])
def test_odd_queries_give_a_valid_response(settings, index, query):
    response = SearchService(settings, index=index).search(query, limit=3)
    assert isinstance(response.results, list) and len(response.results) <= 3
    assert response.total >= len(response.results)


class CheapFirst:
    version = "4"

    def score(self, rows):
        return [-row["price"] for row in rows]


def test_an_interleaved_search_names_the_ranker_of_each_result(settings, index):
    service = SearchService(
        settings, ranker=PriceyFirst(), challenger=CheapFirst(), index=index, interleave_share=1.0
    )
    response = service.search("kettle")
    assert response.ranker == "interleaving"
    assert sorted(ids(response)) == ["p-1", "p-2", "p-3"]
    assert ids(response)[-1] == "p-2"  # still: sold out after everything in stock
    teams = [r.get("team") for r in response.results]
    # p-1 and p-3 are drafted; p-2, last in both orders, is placed for neither.
    assert teams[:2] in (["3", "4"], ["4", "3"]) and teams[2] is None
    # The first result is the top pick of the team that drew first.
    first = response.results[0]
    assert first["product_id"] == ("p-1" if first["team"] == "3" else "p-3")


def test_share_zero_or_one_version_on_both_sides_is_not_an_experiment(settings, index):
    off = SearchService(
        settings, ranker=PriceyFirst(), challenger=CheapFirst(), index=index, interleave_share=0.0
    )
    assert off.search("kettle").ranker == "3"
    same = CheapFirst()
    same.version = "3"
    twin = SearchService(
        settings, ranker=PriceyFirst(), challenger=same, index=index, interleave_share=1.0
    )
    response = twin.search("kettle")
    assert response.ranker == "3" and all("team" not in r for r in response.results)
    # An explicit sort is the shopper's order: nobody is interleaved into it.
    both = SearchService(
        settings, ranker=PriceyFirst(), challenger=CheapFirst(), index=index, interleave_share=1.0
    )
    assert both.search("kettle", sort="price_asc").ranker == "index"


def test_about_the_configured_share_of_searches_is_interleaved(settings, index):
    service = SearchService(
        settings, ranker=PriceyFirst(), challenger=CheapFirst(), index=index, interleave_share=0.3
    )
    rankers = [service.search("kettle", facets=False).ranker for _ in range(400)]
    assert 0.22 < rankers.count("interleaving") / len(rankers) < 0.38


def test_a_randomised_swap_trades_one_adjacent_pair_of_the_first_page(settings, index):
    plain = SearchService(settings, ranker=PriceyFirst(), index=index).search("kettle")
    assert plain.swapped_at is None
    explore = settings.model_copy(update={"explore_share": 0.5})
    service = SearchService(explore, ranker=PriceyFirst(), index=index)
    seen = {}
    for _ in range(200):
        response = service.search("kettle", facets=False)
        k = response.swapped_at
        expected = ids(plain)
        if k is not None:
            expected[k - 1], expected[k] = expected[k], expected[k - 1]
        assert ids(response) == expected
        seen[k] = seen.get(k, 0) + 1
    # p-2 is sold out, last: the pair (p-3, p-2) across the stock boundary is never swapped.
    assert set(seen) == {None, 1} and 80 < seen[None] < 180
    # Later pages, pages of one, explicit sorts and interleaved lists are shown as ranked.
    assert service.search("kettle", page=2, limit=1).swapped_at is None
    assert all(service.search("kettle", limit=1).swapped_at is None for _ in range(20))
    assert all(service.search("kettle", sort="price_asc").swapped_at is None for _ in range(20))
    both = SearchService(
        explore, ranker=PriceyFirst(), challenger=CheapFirst(), index=index, interleave_share=1.0
    )
    assert all(both.search("kettle").swapped_at is None for _ in range(20))


SHOES = [
    {"product_id": f"v-{size}-{colour}", "parent_id": "f-1", "title": f"Urbanite running shoes, "
     f"{size}, {colour}", "brand": "Urbanite", "category": "Shoes", "price": 45.0, "rating": 4.0,
     "stock": 1, "options": {"size": size, "colour": colour}}
    for size in ("8", "10", "12") for colour in ("Red", "Blue")
] + [
    {"product_id": f"s-{n}", "title": f"Canvas running shoes {n}", "brand": "Bolt",
     "category": "Shoes", "price": 30.0, "rating": 4.0, "stock": 1}
    for n in range(1, 4)
]  # fmt: skip


def test_a_family_is_one_result_with_the_variant_the_query_names(settings):
    index = TantivyIndex(settings.search_index_dir)
    index.upsert(SHOES)
    index.commit()
    service = SearchService(settings, index=index)
    found = service.search("red running shoes size 12")
    assert found.total == 1 and ids(found) == ["v-12-Red"]
    row = found.results[0]
    assert (row["family_id"], row["options"], row["matching_variants"]) == (
        "f-1", {"size": "12", "colour": "Red"}, 1,
    )  # fmt: skip
    assert found.facets["brand"] == [{"value": "urbanite", "count": 1}]

    # Six variants and three standalone pairs are four products, two to a page, none twice.
    pages = [service.search("running shoes", limit=2, page=n) for n in (1, 2, 3)]
    assert [page.total for page in pages] == [4, 4, 4]
    shown = [r["product_id"] for page in pages for r in page.results]
    assert len(shown) == 4 and sum(1 for pid in shown if pid.startswith("v-")) == 1
    assert pages[0].facets["brand"] == [
        {"value": "bolt", "count": 3}, {"value": "urbanite", "count": 1},
    ]  # fmt: skip
    assert pages[0].facets["price"] == [{"value": "25-50", "count": 4}]
