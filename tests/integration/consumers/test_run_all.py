import pyarrow.parquet as pq

from contracts import events as ev
from launch.consumers import run_all
from serving.search.index.tantivy_index import TantivyIndex


def test_run_all_feeds_the_lake_and_the_index_to_the_end_of_the_log(settings, append_event):
    append_event(ev.PRODUCT_CREATED, "p-1", {"product_id": "p-1", "title": "Kettle", "price": "9"})
    append_event(ev.STOCK_CHANGED, "p-1", {"product_id": "p-1", "quantity": 3})
    append_event(ev.CUSTOMER_REGISTERED, "c-1", {"customer_id": "c-1"})
    results = [{"product_id": "p-1", "position": 1, "score": 1.0}]
    append_event(
        ev.SEARCH_PERFORMED,
        "srch-1",
        {"search_id": "srch-1", "customer_id": "c-1", "query": "kettle", "results": results},
    )

    assert run_all(settings) == {
        "lake_writer": 4, "search_indexer": 2, "query_log": 1, "shopper_activity": 1,
    }  # fmt: skip
    assert run_all(settings) == {
        "lake_writer": 0, "search_indexer": 0, "query_log": 0, "shopper_activity": 0,
    }  # fmt: skip

    files = list((settings.lake_dir / "bronze" / "events").glob("dt=*/*.parquet"))
    assert sum(pq.read_table(f).num_rows for f in files) == 4
    assert TantivyIndex(settings.search_index_dir).get(["p-1"])["p-1"]["stock"] == 3
