"""Out-of-stock demotion: exact across pages, whether one query holds the page or two are needed."""

import pytest

from serving.search.client import search_by_stock
from serving.search.index import QuerySpec
from serving.search.index.tantivy_index import TantivyIndex
from serving.search.service import SearchService


def catalog(settings, sold_out: set[int]) -> TantivyIndex:
    index = TantivyIndex(settings.search_index_dir)
    index.upsert(
        {"product_id": f"p-{i:02d}", "title": f"Kettle {i}", "price": float(i),
         "stock": 0 if i in sold_out else 3}
        for i in range(30)
    )  # fmt: skip
    index.commit()
    return index


def ids(found):
    return [hit.product_id for hit in found.hits]


@pytest.mark.parametrize("sold_out", [{1, 4}, set(range(15)), set(range(0, 30, 2))])
def test_every_page_is_the_in_stock_order_then_the_out_of_stock_order(settings, sold_out):
    index = catalog(settings, sold_out)
    by_price = [f"p-{i:02d}" for i in range(30)]
    expected = [p for p in by_price if int(p[2:]) not in sold_out]
    expected += [p for p in by_price if int(p[2:]) in sold_out]
    for offset in (0, 5, 10, 25):
        spec = QuerySpec(terms=("kettle",), sort="price_asc", limit=5, offset=offset)
        found = search_by_stock(index, spec)
        assert ids(found) == expected[offset : offset + 5] and found.total == 30
    assert ids(search_by_stock(index, QuerySpec(sort="price_asc", limit=30))) == expected
    assert ids(search_by_stock(index, QuerySpec(sort="price_asc", limit=3), "ignore")) == [
        "p-00", "p-01", "p-02"
    ]  # fmt: skip


def test_service_pages_follow_the_demoted_order(settings):
    index = catalog(settings, set(range(15)))
    service = SearchService(settings, index=index)
    third = service.search("kettle", limit=5, page=3, sort="price_asc")
    fourth = service.search("kettle", limit=5, page=4, sort="price_asc")
    assert [r["product_id"] for r in third.results] == [f"p-{i:02d}" for i in range(25, 30)]
    assert [r["product_id"] for r in fourth.results] == [f"p-{i:02d}" for i in range(0, 5)]
    assert all(r["stock"] == 0 for r in fourth.results) and fourth.total == 30
    filtered = service.search("kettle", limit=30, stock="filter")
    assert filtered.total == 15 and all(r["stock"] > 0 for r in filtered.results)
