"""From the store through the event log to search: a product's category path and its customers'
rating reach the index by the events the indexer already follows."""

from __future__ import annotations

from decimal import Decimal

from serving.search.indexer import SearchIndexer
from serving.search.service import SearchService
from transactional.bootstrap import bootstrap
from transactional.payments.sandbox import APPROVE_CARD


def test_a_review_moves_the_indexed_rating_and_category_words_find_the_branch(settings):
    store = bootstrap(settings)
    try:
        seller = store.users.register("Sal Seller", "sal@example.com", "seller")
        shopper = store.users.register("Cy Shopper", "cy@example.com")
        pan = store.catalog.create_product(
            seller, "Copper pan", "", "Acme", "Home & Kitchen > Cookware", Decimal("30"),
            rating=4.8, rating_count=900, initial_stock=5,
        )  # fmt: skip
        wire = store.catalog.create_product(
            seller, "Copper wire", "", "Acme", "Tools > Electrical", Decimal("5"),
            rating=4.0, rating_count=10, initial_stock=5,
        )  # fmt: skip
        store.cart.add_item(shopper, pan, 1)
        store.orders.checkout(shopper, APPROVE_CARD)
        store.reviews.post_review(shopper, pan, 1, "Warped on the first use.")
    finally:
        store.close()
    SearchIndexer(settings).run_once()
    search = SearchService(settings)
    try:
        found = search.search("copper category:kitchen")
        assert [r["product_id"] for r in found.results] == [pan]
        assert found.results[0]["rating"] == 1.0  # the review's, not the listing's 4.8
        assert found.relaxed is None
        rated = search.search("copper 4 stars & up")  # the rating filter reads the same figure
        assert rated.parsed["rating_min"] == 4.0
        assert [r["product_id"] for r in rated.results] == [wire]
        levels = search.search("copper", category_level=1).facets["category_tree"]
        assert {f["path"] for f in levels} == {"home-kitchen", "tools"}
    finally:
        search.close()
