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
        index.client.indices.delete(index=index.index_name)
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


def test_order_by_rating(index):
    assert ids(index.search(QuerySpec(order_by_rating=True, limit=2))) == ["p-1", "p-2"]
