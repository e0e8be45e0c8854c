from serving.search.aggregator import to_candidates
from serving.search.index import Hit, SearchHits


def hit(product_id, score, stock):
    doc = {"product_id": product_id, "title": f"T {product_id}", "brand": "B", "category": "C",
           "price": 5.0, "rating": 4.0, "stock": stock}  # fmt: skip
    return Hit(product_id, score, doc)


def test_keeps_index_order_with_live_stock_and_drops_duplicates():
    found = SearchHits(3, [hit("p-1", 3.0, 2), hit("p-2", 2.0, 0), hit("p-1", 1.0, 2)])
    candidates = to_candidates(found)
    assert [c["product_id"] for c in candidates] == ["p-1", "p-2"]
    assert candidates[0] == {
        "product_id": "p-1", "title": "T p-1", "brand": "B", "category": "C", "price": 5.0,
        "rating": 4.0, "stock": 2, "score": 3.0,
    }  # fmt: skip


def test_in_stock_only_drops_sold_out_products():
    found = SearchHits(2, [hit("p-1", 3.0, 0), hit("p-2", 2.0, 5)])
    assert [c["product_id"] for c in to_candidates(found, in_stock_only=True)] == ["p-2"]
