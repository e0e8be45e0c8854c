"""Synonyms, typos, facets, pagination, relaxation, spelling, typeahead and bad input."""

import pytest

from contracts import events as ev
from serving.search.index.tantivy_index import TantivyIndex
from serving.search.query_log import QueryLog, QueryLogConsumer, store_path
from serving.search.service import SearchService
from serving.search.spelling import edit_distance
from serving.search.suggest import SuggestService
from serving.search.synonyms import term_groups

PRODUCTS = [
    ("p-1", "Steel kettle", "Acme", "Kitchen", 30.0, 4.8, 5, "2026-01-01"),
    ("p-2", "Glass kettle", "Bolt", "Kitchen", 60.0, 4.1, 0, "2026-03-01"),
    ("p-3", "Kettle descaler", "Acme", "Cleaning", 8.0, 3.5, 10, "2026-02-01"),
    ("p-4", "Running trainers", "Swift", "Shoes", 80.0, 4.9, 2, "2026-01-15"),
    ("p-5", "Cotton tee", "Bolt", "Fashion", 15.0, 3.9, 7, "2026-01-20"),
    ("p-6", "Leather sofa", "Acme", "Furniture", 450.0, 4.2, 1, "2026-01-05"),
]


@pytest.fixture
def service(settings):
    index = TantivyIndex(settings.search_index_dir)
    index.upsert(
        {"product_id": p, "title": t, "description": "", "brand": b, "category": c,
         "price": price, "rating": r, "stock": s, "created_at": at}
        for p, t, b, c, price, r, s, at in PRODUCTS
    )  # fmt: skip
    index.commit()
    return SearchService(settings, index=index)


def ids(response):
    return [r["product_id"] for r in response.results]


def test_synonyms_expand_words_and_phrases():
    assert term_groups(["t", "shirt", "red"])[0] == ("t shirt", "tee", "tshirt")
    assert term_groups(["red"]) == [("red",)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("sneakers", ["p-4"]), ("couch", ["p-6"]), ("t-shirt", ["p-5"]), ("running shoes", ["p-4"])],
)
def test_synonyms_find_products_named_otherwise(service, query, expected):
    assert ids(service.search(query)) == expected


def test_typos_are_tolerated_by_word_length_and_corrected(service):
    assert ids(service.search("kettel"))[:1] in (["p-1"], ["p-2"], ["p-3"])
    assert service.search("kettel").did_you_mean == "kettle"
    assert service.search("descalerr").did_you_mean == "descaler"
    assert ids(service.search("tea")) == []  # 3 letters: no edit allowed, so no "tee"
    assert service.search("kettle").did_you_mean is None


def test_edit_distance_is_bounded():
    assert edit_distance("kettle", "kettel", 2) == 1  # a swap is one edit
    assert edit_distance("a", "abcdef", 1) == 2


def test_facets_count_the_filtered_set(service):
    facets = service.search("kettle under 50").facets
    assert facets["brand"] == [{"value": "acme", "count": 2}]
    assert {f["value"]: f["count"] for f in facets["price"]} == {"<25": 1, "25-50": 1}
    assert {f["value"]: f["count"] for f in facets["rating"]} == {"4+": 1, "3+": 2, "2+": 2,
                                                                   "1+": 2}  # fmt: skip


def test_sorts_and_rating_and_stock_filters(service):
    assert ids(service.search("kettle cheapest")) == ["p-3", "p-1", "p-2"]
    assert ids(service.search("kettle", sort="price_desc", stock="ignore")) == ["p-2", "p-1", "p-3"]
    assert ids(service.search("kettle newest", stock="ignore")) == ["p-2", "p-3", "p-1"]
    # Demoted (the default): the sold-out p-2 goes after the in-stock ones, which keep their order.
    assert ids(service.search("kettle", sort="price_desc")) == ["p-1", "p-3", "p-2"]
    assert ids(service.search("kettle newest")) == ["p-3", "p-1", "p-2"]
    assert ids(service.search("kettle newest", stock="filter")) == ["p-3", "p-1"]
    assert ids(service.search("kettle 4+ stars in stock")) == ["p-1"]


def test_pages_continue_positions(service):
    first = service.search("", limit=2, sort="price_asc")
    second = service.search("", limit=2, page=2, sort="price_asc")
    assert ids(first) == ["p-3", "p-5"] and ids(second) == ["p-1", "p-4"]
    assert [r["position"] for r in second.results] == [3, 4]
    assert ids(service.search("", limit=2, offset=1, sort="price_asc")) == ["p-5", "p-1"]
    # The sold-out p-2 is the last of six on the last page, whatever the sort put first.
    assert ids(service.search("", limit=2, page=3, sort="price_asc")) == ["p-6", "p-2"]
    assert service.search("", limit=2, page=3, sort="price_asc").total == 6


def test_zero_results_relax_and_say_so(service):
    response = service.search("brand:nosuch kettle")
    assert response.relaxed == "filters" and len(ids(response)) == 3
    response = service.search("kettle unicorn")
    assert response.relaxed == "any_term" and ids(response)
    assert service.search("kettle").relaxed is None


def test_typeahead_from_queries_and_titles(service):
    log = QueryLog()
    log.record(["steel kettle"] * 3 + ["Steel  KETTLE", "stool"])
    suggest = SuggestService(service.index, log)
    found = suggest.suggest("ste")["suggestions"]
    assert found[0] == {"text": "steel kettle", "source": "query", "count": 4}
    assert {"text": "steel", "source": "title", "count": 1} in found
    assert [s["text"] for s in suggest.suggest("glass k")["suggestions"]][:1] == ["glass kettle"]
    assert suggest.suggest("")["suggestions"] == [] and suggest.suggest(b"\xff")["prefix"]


def test_query_log_consumer_counts_searches_that_found_something(settings, append_event):
    for query, results in [("Kettle", [{"product_id": "p-1"}]), ("kettle", [{}]), ("zzz", [])]:
        append_event(ev.SEARCH_PERFORMED, "s-1", {"query": query, "results": results})
    assert QueryLogConsumer(settings).run_once() == 2
    assert QueryLogConsumer(settings).run_once() == 0  # checkpointed
    assert QueryLog(store_path(settings)).counts == {"kettle": 2}


def test_query_log_killed_before_its_checkpoint_counts_nothing_twice(settings, append_event):
    append_event(ev.SEARCH_PERFORMED, "s-1", {"query": "kettle", "results": [{}]})
    consumer = QueryLogConsumer(settings)
    consumer.checkpoint.save = lambda *_, **__: None  # the process dies after the counts' save
    assert consumer.run_once() == 1
    assert consumer.checkpoint.position == 0
    append_event(ev.SEARCH_PERFORMED, "s-2", {"query": "kettle", "results": [{}]})
    assert QueryLogConsumer(settings).run_once() == 1  # only the new search
    assert QueryLog(store_path(settings)).counts == {"kettle": 2}


@pytest.mark.parametrize(
    "query", ['"', "*", "OR OR", "brand:", 'brand:"', '"unbalanced', "\x00\x01", b"\x80\xff",
              "a" * 1_500, "?" * 10, "$-", "under $", "4+ stars", "category: under 5"],
)  # fmt: skip
def test_bad_input_gives_a_valid_response(service, query):
    response = service.search(query, limit=3, page=999)
    assert isinstance(response.results, list) and response.total >= 0
    assert response.offset <= 1_000
