from consumers.checkpoint import FileCheckpoint
from contracts import events as ev
from serving.search.index.tantivy_index import TantivyIndex
from serving.search.indexer import SearchIndexer

STAMP = "2025-03-01T00:00:00+00:00"


def product(product_id, title, price="19.99", **extra):
    return {"product_id": product_id, "seller_id": "s-1", "title": title, "description": "d",
            "brand": "Acme", "category": "Kitchen", "price": price, "currency": "USD",
            "rating": 4.0, "rating_count": 3, "image_url": "", "created_at": STAMP,
            "updated_at": STAMP, **extra}  # fmt: skip


def stock(product_id, quantity):
    return {"product_id": product_id, "quantity": quantity, "delta": 0, "reason": "restock"}


def test_applies_create_update_stock_and_delete(settings, append_event):
    append_event(ev.PRODUCT_CREATED, "p-1", product("p-1", "Steel kettle"))
    append_event(ev.STOCK_CHANGED, "p-1", stock("p-1", 5))
    append_event(ev.PRODUCT_UPDATED, "p-1", product("p-1", "Steel kettle XL", price="24.50"))
    append_event(ev.PRODUCT_CREATED, "p-2", product("p-2", "Teapot"))
    append_event(ev.ORDER_PLACED, "o-1", {"order_id": "o-1"})  # not followed
    append_event(ev.PRODUCT_DELETED, "p-2", {"product_id": "p-2"})

    assert SearchIndexer(settings).run_once() == 5

    index = TantivyIndex(settings.search_index_dir)
    docs = index.get(["p-1", "p-2"])
    assert list(docs) == ["p-1"]
    assert docs["p-1"]["title"] == "Steel kettle XL"
    assert docs["p-1"]["price"] == 24.5
    assert docs["p-1"]["stock"] == 5  # an update's snapshot carries no stock: the level stays
    assert FileCheckpoint(settings.checkpoint_dir, "search_indexer").position == 6


def test_a_deleted_product_never_comes_back(settings, append_event):
    append_event(ev.PRODUCT_CREATED, "p-1", product("p-1", "Kettle"))
    append_event(ev.PRODUCT_DELETED, "p-1", {"product_id": "p-1"})
    assert SearchIndexer(settings).run_once() == 2
    # A late update and a stock change for the deleted product, in a later run.
    append_event(ev.PRODUCT_UPDATED, "p-1", product("p-1", "Kettle again"))
    append_event(ev.STOCK_CHANGED, "p-1", stock("p-1", 9))
    assert SearchIndexer(settings).run_once() == 2
    assert TantivyIndex(settings.search_index_dir).count() == 0


def test_replay_after_a_crash_is_harmless(settings, append_event):
    append_event(ev.PRODUCT_CREATED, "p-1", product("p-1", "Kettle"))
    append_event(ev.STOCK_CHANGED, "p-1", stock("p-1", 5))
    append_event(ev.STOCK_CHANGED, "p-1", stock("p-1", 2))
    SearchIndexer(settings).run_once()
    # The index committed but the checkpoint write was lost: everything replays.
    FileCheckpoint(settings.checkpoint_dir, "search_indexer").save(0)
    assert SearchIndexer(settings, batch_size=1).run_once() == 3

    index = TantivyIndex(settings.search_index_dir)
    assert index.count() == 1
    assert index.get(["p-1"])["p-1"]["stock"] == 2


def test_stock_before_the_product_is_kept_until_it_is_created(settings, append_event):
    append_event(ev.STOCK_CHANGED, "p-1", stock("p-1", 4))
    SearchIndexer(settings).run_once()
    append_event(ev.PRODUCT_CREATED, "p-1", product("p-1", "Kettle"))
    SearchIndexer(settings).run_once()
    assert TantivyIndex(settings.search_index_dir).get(["p-1"])["p-1"]["stock"] == 4


def test_a_parent_is_not_indexed_and_its_variants_name_their_family(settings, append_event):
    parent = product("p-1", "Trail runner", option_names=["size", "colour"])
    append_event(ev.PRODUCT_CREATED, "p-1", parent)
    for pid, size in (("p-2", "8"), ("p-3", "9")):
        options = {"size": size, "colour": "Red"}
        append_event(ev.PRODUCT_CREATED, pid, product(pid, f"Trail runner, {size}, Red",
                                                     parent_id="p-1", options=options))  # fmt: skip
        append_event(ev.STOCK_CHANGED, pid, stock(pid, 2))
    append_event(ev.PRODUCT_UPDATED, "p-1", {**parent, "title": "Trail runner II"})

    assert SearchIndexer(settings).run_once() == 6
    index = TantivyIndex(settings.search_index_dir)
    docs = index.get(["p-1", "p-2", "p-3"])
    assert sorted(docs) == ["p-2", "p-3"]  # a parent is never bought: never a result
    assert (docs["p-2"]["family_id"], docs["p-2"]["options"], docs["p-2"]["stock"]) == (
        "p-1", {"size": "8", "colour": "Red"}, 2,
    )  # fmt: skip

    # A parent indexed before parents were skipped goes at its next event.
    index.upsert([{"product_id": "p-1", "title": "Trail runner"}])
    index.commit()
    append_event(ev.PRODUCT_UPDATED, "p-1", parent)
    SearchIndexer(settings).run_once()
    assert list(TantivyIndex(settings.search_index_dir).get(["p-1"])) == []
