"""The Elasticsearch adapter's request bodies: the same analysis and features as tantivy's
(the adapter itself runs in the contract suite where ELASTICSEARCH_URL is set)."""

from serving.search.index.elasticsearch_query import MAPPINGS, SETTINGS, search_body
from serving.search.index.port import QuerySpec, facet_key, search_terms


def test_analysis_folds_accents_and_stems_english():
    analyzers = SETTINGS["analysis"]["analyzer"]
    assert analyzers["shop_folded"]["filter"] == ["lowercase", "asciifolding"]
    assert analyzers["shop_stemmed"]["filter"][-1] == "shop_stemmer"
    assert SETTINGS["analysis"]["filter"]["shop_stemmer"]["language"] == "english"
    assert MAPPINGS["properties"]["title"]["fields"]["stem"]["analyzer"] == "shop_stemmed"
    assert search_terms("Café CRÈME Straße") == ["cafe", "creme", "strasse"]
    assert facet_key("  Crème ") == "creme"


def test_groups_fuzz_only_the_shoppers_word_and_filters_are_unscored():
    spec = QuerySpec(groups=(("kettel", "boiler"), ("steel",)), brand="Acme", rating_min=4.0,
                     price_max=50.0, out_of_stock_only=True)  # fmt: skip
    body = search_body(spec)
    first = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert [next(iter(part)) for part in first] == ["multi_match", "fuzzy", "multi_match"]
    assert first[1]["fuzzy"]["title"]["fuzziness"] == 1
    assert "title^3" in first[0]["multi_match"]["fields"]
    assert {"term": {"brand_key": "acme"}} in body["query"]["bool"]["filter"]
    assert {"range": {"rating": {"gte": 4.0}}} in body["query"]["bool"]["filter"]
    assert {"term": {"in_stock": False}} in body["query"]["bool"]["filter"]


def test_any_term_sorts_pages_and_facets():
    body = search_body(QuerySpec(terms=("a", "b"), match_all_terms=False, sort="price_asc",
                                 limit=5, offset=10))  # fmt: skip
    assert body["query"]["bool"]["must"][0]["bool"]["minimum_should_match"] == 1
    assert body["sort"][0] == {"price": "asc"} and (body["from"], body["size"]) == (10, 5)
    facets = search_body(QuerySpec(), with_facets=True)
    assert facets["size"] == 0 and set(facets["aggs"]) == {"brand", "category", "price", "rating"}
    assert search_body(QuerySpec())["query"]["bool"]["must"] == [{"match_all": {}}]


def test_category_filters_are_one_exact_term_and_levels_one_more_aggregation():
    def category_filter(value):
        return search_body(QuerySpec(category=value))["query"]["bool"]["filter"]

    assert category_filter("Kitchen") == [{"term": {"category_word": "kitchen"}}]
    assert category_filter("Home & Kitchen") == [{"term": {"category_word": "home-kitchen"}}]
    assert category_filter("home-kitchen/cookware") == [
        {"term": {"category_path": "home-kitchen/cookware"}}
    ]
    body = search_body(QuerySpec(category_level=2), with_facets=True)
    assert body["aggs"]["category_tree"] == {"terms": {"field": "category_level_2", "size": 20}}
    for field in ("category_path", "category_word", "category_level_2"):
        assert MAPPINGS["properties"][field] == {"type": "keyword"}
