"""One contract suite for every search index adapter; ES runs where ELASTICSEARCH_URL is set."""

import os
import uuid

import pytest

from serving.search.index import QuerySpec

DOCS = [
    {"product_id": "p-1", "title": "Steel kettle", "description": "boils water", "brand": "Acme",
     "category": "Kitchen", "price": 30.0, "rating": 4.8, "stock": 5},
    {"product_id": "p-2", "title": "Water bottle", "description": "steel kettle style lid",
     "brand": "Bolt", "category": "Outdoor", "price": 12.0, "rating": 4.0, "stock": 0},
    {"product_id": "p-3", "title": "Tea towel", "description": "cotton", "brand": "Acme",
     "category": "Kitchen", "price": 5.0, "rating": 3.0, "stock": 7},
]  # fmt: skip


@pytest.fixture(params=["tantivy", "elasticsearch"])
def index(request, tmp_path):
    if request.param == "tantivy":
        from serving.search.index.tantivy_index import TantivyIndex

        index = TantivyIndex(tmp_path / "index")
    else:
        url = os.environ.get("ELASTICSEARCH_URL")
        if not url:
            pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch server to test against")
        from serving.search.index.elasticsearch_index import ElasticsearchIndex

        index = ElasticsearchIndex(url, index_name=f"products-test-{uuid.uuid4().hex[:8]}")
    index.upsert(DOCS)
    index.commit()
    yield index
    if request.param == "elasticsearch":
        index.client.indices.delete(index=f"{index.index_name}-*")
    index.close()


def ids(found):
    return [hit.product_id for hit in found.hits]


def test_title_outranks_description(index):
    found = index.search(QuerySpec(terms=("kettle",)))
    assert found.total == 2
    assert ids(found) == ["p-1", "p-2"]


def test_filters(index):
    assert ids(index.search(QuerySpec(brand="ACME", order_by_rating=True))) == ["p-1", "p-3"]
    assert ids(index.search(QuerySpec(category="outdoor"))) == ["p-2"]
    assert set(ids(index.search(QuerySpec(price_min=10, price_max=40)))) == {"p-1", "p-2"}
    assert set(ids(index.search(QuerySpec(in_stock_only=True)))) == {"p-1", "p-3"}


def test_all_terms_then_any_term(index):
    assert index.search(QuerySpec(terms=("tea", "kettle"))).total == 0
    assert index.search(QuerySpec(terms=("tea", "kettle"), match_all_terms=False)).total == 3


def test_upsert_replaces_and_delete_removes(index):
    index.upsert([{**DOCS[0], "stock": 0, "title": "Copper kettle"}])
    index.delete(["p-3", "never-indexed"])
    index.commit()
    assert index.count() == 2
    docs = index.get(["p-1", "p-3"])
    assert list(docs) == ["p-1"]
    assert docs["p-1"]["title"] == "Copper kettle" and docs["p-1"]["in_stock"] is False


def test_what_a_caller_edits_or_a_commit_changes_reads_back_as_the_index_holds_it(index):
    """Documents read twice between commits may come from a memo of the first read: a caller's
    edit must not reach the next reader, and a commit must show at once, absent ones too."""
    first = index.get(["p-1", "p-9"])
    assert list(first) == ["p-1"]
    first["p-1"]["stock"] = 99
    [hit] = index.search(QuerySpec(terms=("steel",), brand="acme")).hits
    hit.doc["title"] = "edited by the caller"
    again = index.get(["p-1"])["p-1"]
    assert again["stock"] == 5 and again["title"] == "Steel kettle"
    assert index.search(QuerySpec(terms=("steel",), brand="acme")).hits[0].doc == again
    index.upsert([{**DOCS[0], "stock": 2}, {**DOCS[2], "product_id": "p-9"}])
    index.commit()
    after = index.get(["p-1", "p-9"])
    assert after["p-1"]["stock"] == 2 and after["p-9"]["title"] == "Tea towel"
    assert index.search(QuerySpec(terms=("steel",), brand="acme")).hits[0].doc["stock"] == 2


def test_a_reader_in_another_process_sees_the_writers_commit(tmp_path):
    """Serving reads the index the indexer writes: a second reader of the same directory sees
    each commit on its next read, not the documents it read before it."""
    from serving.search.index.tantivy_index import TantivyIndex

    writer, reader = TantivyIndex(tmp_path / "index"), None
    writer.upsert(DOCS)
    writer.commit()
    reader = TantivyIndex(tmp_path / "index")
    assert reader.get(["p-1"])["p-1"]["stock"] == 5
    writer.upsert([{**DOCS[0], "stock": 1}])
    writer.commit()
    assert reader.get(["p-1"])["p-1"]["stock"] == 1
    assert reader.search(QuerySpec(terms=("steel",), brand="acme")).hits[0].doc["stock"] == 1
    writer.close()
    reader.close()


def test_order_by_rating(index):
    assert ids(index.search(QuerySpec(order_by_rating=True, limit=2))) == ["p-1", "p-2"]


MORE = [
    {"product_id": "p-4", "title": "Café espresso cup", "description": "for the busy kitchen",
     "brand": "Crème", "category": "Kitchen", "price": 9.0, "rating": 4.5, "stock": 2,
     "created_at": "2026-03-01"},
    {"product_id": "p-5", "title": "Trail running shoe", "description": "light", "brand": "Bolt",
     "category": "Shoes", "price": 120.0, "rating": 2.5, "stock": 0, "created_at": "2026-02-01"},
]  # fmt: skip


@pytest.fixture
def catalog(index):
    index.upsert(MORE)
    index.commit()
    return index


@pytest.mark.parametrize(
    ("words", "expected"),
    [(("cafe",), "p-4"), (("creme",), "p-4"), (("shoes",), "p-5"), (("runs",), "p-5")],
)
def test_accents_fold_and_english_stems_match(catalog, words, expected):
    found = ids(catalog.search(QuerySpec(terms=words)))
    assert found[:1] == [expected]


def test_synonym_groups_phrases_and_typos(catalog):
    assert ids(catalog.search(QuerySpec(groups=(("flask", "bottle"),)))) == ["p-2"]
    assert ids(catalog.search(QuerySpec(phrases=("steel kettle",)))) == ["p-1", "p-2"]
    assert ids(catalog.search(QuerySpec(phrases=("kettle steel",)))) == []
    assert ids(catalog.search(QuerySpec(groups=(("kettel",),)))) == ["p-1"]  # title only
    assert ids(catalog.search(QuerySpec(groups=(("kettel",),), fuzzy="off"))) == []


def test_sorts_pages_rating_and_stock_halves(catalog):
    by_price = ids(catalog.search(QuerySpec(sort="price_asc")))
    assert by_price == ["p-3", "p-4", "p-2", "p-1", "p-5"]
    assert ids(catalog.search(QuerySpec(sort="price_desc", limit=2, offset=1))) == ["p-1", "p-2"]
    assert ids(catalog.search(QuerySpec(sort="newest", limit=1))) == ["p-4"]
    assert set(ids(catalog.search(QuerySpec(rating_min=4.0)))) == {"p-1", "p-2", "p-4"}
    assert set(ids(catalog.search(QuerySpec(out_of_stock_only=True)))) == {"p-2", "p-5"}


def test_any_term_still_needs_one_word_beside_filters(catalog):
    spec = QuerySpec(terms=("kettle", "unicorn"), match_all_terms=False, in_stock_only=True)
    assert ids(catalog.search(spec)) == ["p-1"]


def test_facets_count_the_filtered_set(catalog):
    assert ids(catalog.search(QuerySpec(brand="creme"))) == ["p-4"]  # keys are folded too
    facets = catalog.facets(QuerySpec(category="kitchen"))
    assert facets["brand"] == [{"value": "acme", "count": 2}, {"value": "creme", "count": 1}]
    assert facets["price"] == [{"value": "<25", "count": 2}, {"value": "25-50", "count": 1}]
    assert facets["rating"][0] == {"value": "4+", "count": 2}


def test_vocabulary_and_title_prefixes_feed_typeahead(catalog):
    assert ("kettle", 1) in catalog.vocabulary("ket")
    assert catalog.titles_starting(["steel", "ke"], 5) == ["Steel kettle"]


TREE = [
    {"product_id": "t-1", "title": "Frying pan", "brand": "Acme", "price": 20.0, "stock": 1,
     "category": "Home & Kitchen > Cookware > Pans"},
    {"product_id": "t-2", "title": "Chef knife", "brand": "Acme", "price": 30.0, "stock": 1,
     "category": "Home & Kitchen > Cutlery"},
    {"product_id": "t-3", "title": "Herb seeds", "brand": "Bolt", "price": 3.0, "stock": 1,
     "category": "Garden > Kitchen Garden"},
    {"product_id": "t-4", "title": "Trail shoe", "brand": "Bolt", "price": 90.0, "stock": 1,
     "category": "Fashion > Men's Shoes"},
]  # fmt: skip


@pytest.fixture
def tree(index):
    index.delete(["p-1", "p-2", "p-3"])
    index.upsert(TREE)
    index.commit()
    return index


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("kitchen", {"t-1", "t-2", "t-3"}),  # a word of "Home & Kitchen" and "Kitchen Garden"
        ("KITCHEN", {"t-1", "t-2", "t-3"}),
        ("Home & Kitchen", {"t-1", "t-2"}),  # a name: that node and everything below it
        ("home-kitchen", {"t-1", "t-2"}),  # its slug
        ("home-kitchen/cookware", {"t-1"}),  # a path, at the second level
        ("Home & Kitchen > Cookware", {"t-1"}),  # a category text names a path too
        ("pans", {"t-1"}),  # the third level
        ("men's shoes", {"t-4"}),
        ("mens", {"t-4"}),
        ("garden/kitchen-garden", {"t-3"}),
        ("cookware/pans", set()),  # a path starts at a root
        ("kitch", set()),  # exact terms, no prefixes
    ],
)
def test_a_category_filter_finds_every_product_under_the_nodes_it_names(tree, category, expected):
    assert set(ids(tree.search(QuerySpec(category=category)))) == expected


def test_category_facets_count_at_the_level_asked(tree):
    assert "category_tree" not in tree.facets(QuerySpec())
    top = tree.facets(QuerySpec(category_level=1))["category_tree"]
    assert sorted((f["value"], f["path"], f["count"]) for f in top) == [
        ("Fashion", "fashion", 1),
        ("Garden", "garden", 1),
        ("Home & Kitchen", "home-kitchen", 2),
    ]
    second = tree.facets(QuerySpec(category="home-kitchen", category_level=2))["category_tree"]
    assert sorted((f["value"], f["count"]) for f in second) == [
        ("Home & Kitchen > Cookware", 1),
        ("Home & Kitchen > Cutlery", 1),
    ]
    # The product on a shallower node is not counted at a deeper level.
    third = tree.facets(QuerySpec(category="kitchen", category_level=3))["category_tree"]
    assert [(f["path"], f["count"]) for f in third] == [("home-kitchen/cookware/pans", 1)]


# A family of running shoes (its parent is not indexed: its variants carry its title, brand and
# category) beside a standalone pair. Variants name their parent as catalog events do.
FAMILY = [
    {"product_id": f"v-{n}", "parent_id": "f-1", "options": {"size": size, "colour": colour},
     "title": f"Urbanite running shoes, {size}, {colour}", "brand": "Urbanite",
     "category": "Fashion > Men's Shoes", "price": price, "rating": 4.0, "stock": stock}
    for n, (size, colour, price, stock) in enumerate(
        [("8", "Red", 40.0, 3), ("12", "Red", 45.0, 2), ("12", "Blue", 45.0, 0),
         ("9", "Blue", 60.0, 1)], start=1,
    )
] + [
    {"product_id": "s-1", "title": "Canvas running shoes", "brand": "Bolt",
     "category": "Fashion > Men's Shoes", "price": 30.0, "rating": 4.0, "stock": 4},
]  # fmt: skip


@pytest.fixture
def shoes(index):
    index.upsert(FAMILY)
    index.commit()
    return index


def families(index, **spec):
    from serving.search.index.families import search_families

    found = search_families(index, QuerySpec(**spec))
    return found.total, [(hit.product_id, hit.matching_variants) for hit in found.hits]


def test_without_variants_a_family_search_is_the_plain_search(catalog):
    from serving.search.index.families import search_families

    assert not catalog.holds_variants()
    spec = QuerySpec(terms=("kettle",))
    assert search_families(catalog, spec) == catalog.search(spec)


def test_a_variant_keeps_its_family_and_option_values(shoes):
    assert shoes.holds_variants()
    doc = shoes.get(["v-2"])["v-2"]
    assert (doc["family_id"], doc["options"]) == ("f-1", {"size": "12", "colour": "Red"})
    assert shoes.get(["s-1"])["s-1"]["family_id"] == "s-1"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("red", "running", "shoes", "size", "12"), [("v-2", 1)]),  # option words match
        (("running", "shoes", "12"), [("v-2", 2)]),  # 12 Red in stock over 12 Blue sold out
        (("blue", "running", "shoes"), [("v-4", 2)]),  # in stock first
        (("blue", "shoes", "size", "12"), [("v-3", 1)]),  # named, even sold out
        (("colour", "red"), [("v-1", 2)]),  # both named alike: the first in index order
    ],
)
def test_one_result_per_family_with_the_variant_the_query_names(shoes, words, expected):
    assert families(shoes, terms=words) == (1, expected)


def test_pages_and_totals_count_families(shoes):
    total, first = families(shoes, terms=("running",), limit=1)
    _, second = families(shoes, terms=("running",), limit=1, offset=1)
    assert total == 2
    assert {first[0][0], second[0][0]} in ({"v-1", "s-1"}, {"v-2", "s-1"})
    assert families(shoes, terms=("running",), limit=1, offset=2) == (2, [])
    by_price = families(shoes, terms=("running",), sort="price_asc")
    assert by_price == (2, [("s-1", 1), ("v-1", 4)])  # the family at its cheapest match's place


def test_typeahead_lists_a_familys_title_once_without_its_sizes(shoes):
    assert shoes.titles_starting(["running", "sh"], 5) == [
        "Urbanite running shoes", "Canvas running shoes",
    ]  # fmt: skip
    assert shoes.titles_starting(["running", "sh"], 1) == ["Urbanite running shoes"]


def test_a_title_a_seller_gave_a_variant_is_kept_whole():
    from serving.search.index.port import family_title, normalize_doc

    variant = {**FAMILY[0], "title": "Urbanite running shoes for wide feet, Red"}
    assert family_title(normalize_doc(variant)) == "Urbanite running shoes for wide feet, Red"
    assert family_title(normalize_doc(FAMILY[3])) == "Urbanite running shoes"
    assert family_title(normalize_doc(FAMILY[4])) == "Canvas running shoes"


def test_stock_halves_place_a_family_by_its_variants_in_stock(shoes):
    assert families(shoes, terms=("running",), in_stock_only=True)[0] == 2
    assert families(shoes, terms=("running",), out_of_stock_only=True) == (0, [])
    # With only its sold-out variant matching, the family is in the sold-out half.
    assert families(shoes, terms=("blue", "12"), out_of_stock_only=True) == (1, [("v-3", 1)])


def test_facets_count_families_not_variants(shoes):
    facets = shoes.facets(QuerySpec(terms=("running",), category_level=2))
    assert facets["brand"] == [{"value": "bolt", "count": 1}, {"value": "urbanite", "count": 1}]
    assert facets["category_tree"] == [
        {"value": "Fashion > Men's Shoes", "path": "fashion/mens-shoes", "count": 2}
    ]
    # A family counts once in each price band one of its matching variants is in.
    assert facets["price"] == [{"value": "25-50", "count": 2}, {"value": "50-100", "count": 1}]
    assert facets["rating"][0] == {"value": "4+", "count": 2}
    assert shoes.facets(QuerySpec(terms=("red",)))["brand"] == [{"value": "urbanite", "count": 1}]
