"""Full reindex: a new index swapped in while a reader searches non-stop and sees no gap."""

import shutil
import threading
from decimal import Decimal

from consumers.checkpoint import FileCheckpoint
from serving.search.index import QuerySpec
from serving.search.index import tantivy_layout as layout
from serving.search.index.tantivy_index import TantivyIndex
from serving.search.indexer import NAME, SearchIndexer
from serving.search.reindex import reindex
from transactional.bootstrap import bootstrap

N = 60


def test_reindex_swaps_in_a_full_index_without_gaps(settings):
    store = bootstrap(settings)
    seller = store.users.register("Seller", "s@example.com", role="seller")
    ids = [
        store.catalog.create_product(seller, f"Steel kettle {i}", "boils", "Acme", "Kitchen",
                                     Decimal("20.00"), initial_stock=3)
        for i in range(N + 1)
    ]  # fmt: skip
    store.catalog.delete_product(ids[-1], seller)
    SearchIndexer(settings).run_once()
    reader = TantivyIndex(settings.search_index_dir, refresh_s=0.0)
    assert reader.search(QuerySpec(terms=("kettle",))).total == N
    seen: list[int] = []
    done = threading.Event()

    def search_non_stop() -> None:
        while not done.is_set():
            seen.append(reader.search(QuerySpec(terms=("kettle",), limit=N)).total)

    thread = threading.Thread(target=search_non_stop)
    thread.start()
    try:
        report = reindex(settings, batch_size=7)  # small batches: many commits to land between
    finally:
        done.set()
        thread.join()
    assert report["products"] == N
    assert len(seen) > 10 and set(seen) == {N}  # never empty, never partial
    assert reader.search(QuerySpec(terms=("kettle",))).total == N
    assert reader.generation.name == "gen-000002"
    assert [path.name for path in layout.generations(settings.search_index_dir)] == [
        "gen-000001", "gen-000002"
    ]  # fmt: skip

    # The live indexer goes on in the new index, and the deleted product stays deleted.
    store.catalog.update_product(ids[0], seller, title="Copper kettle")
    assert SearchIndexer(settings).run_once() >= 1
    reader.refresh()
    assert found(reader, "copper") == [ids[0]]
    assert ids[-1] not in reader.get(ids)
    reindex(settings)
    assert [p.name for p in layout.generations(settings.search_index_dir)][-1] == "gen-000003"
    assert len(layout.generations(settings.search_index_dir)) == 2  # the oldest is removed
    store.close()


def found(index, word):
    return [hit.product_id for hit in index.search(QuerySpec(terms=(word,))).hits]


def test_an_index_from_before_generations_is_refilled_from_the_log(settings):
    store = bootstrap(settings)
    seller = store.users.register("Seller", "s@example.com", role="seller")
    kept = store.catalog.create_product(seller, "Steel kettle", "", "Acme", "Kitchen", Decimal(9))
    SearchIndexer(settings).run_once()
    # The old layout: index files straight in the folder, a checkpoint that names no generation.
    shutil.rmtree(settings.search_index_dir)
    settings.search_index_dir.mkdir()
    (settings.search_index_dir / "meta.json").write_text("{}")
    checkpoint = FileCheckpoint(settings.checkpoint_dir, NAME)
    checkpoint.save(checkpoint.position)
    assert SearchIndexer(settings).run_once() == 1
    assert list(TantivyIndex(settings.search_index_dir).get([kept])) == [kept]
    store.close()


def test_an_index_with_an_older_schema_is_replaced_and_refilled_from_the_log(settings):
    import tantivy

    store = bootstrap(settings)
    seller = store.users.register("Seller", "s@example.com", role="seller")
    kept = store.catalog.create_product(seller, "Steel kettle", "", "Acme", "Kitchen", Decimal(9))
    SearchIndexer(settings).run_once()
    live = layout.current_generation(settings.search_index_dir)
    # What an older release wrote: other fields, other analysis, same folder and checkpoint.
    shutil.rmtree(live)
    live.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("product_id", stored=True)
    old = tantivy.Index(builder.build(), path=str(live))
    writer = old.writer()
    writer.add_document(tantivy.Document(product_id="stale"))
    writer.commit()
    assert FileCheckpoint(settings.checkpoint_dir, NAME).load()["generation"] == live.name

    assert SearchIndexer(settings).run_once() == 1  # no "schema does not match": refilled
    reader = TantivyIndex(settings.search_index_dir)
    assert reader.generation.name == "gen-000002" and found(reader, "kettle") == [kept]
    assert reader.count() == 1
    store.close()
