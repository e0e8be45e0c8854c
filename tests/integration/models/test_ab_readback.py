"""The A/B test read back from a silver lake in Parquet: each arm's figures by hand, the days
window, and a shopper logged in both arms left out."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from models.ab_test import measure
from storeloop.settings import Settings


def _write(settings: Settings, table: str, day: str, rows: list[dict]) -> None:
    folder = settings.lake_dir / "silver" / table / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")


def test_each_arms_figures_follow_the_hand_count(tmp_path):
    settings = Settings(data_dir=tmp_path)
    day, before = "2024-03-02", "2024-03-01"

    def search(search_id, shopper, session, arm, position=1):
        return {"search_id": search_id, "customer_id": shopper, "session_id": session,
                "arm": arm, "position": position}  # fmt: skip

    _write(settings, "search_impressions", day, [
        search("s1", "c-m", "m-1", "models"), search("s1", "c-m", "m-1", "models", 2),
        search("s2", "c-m", "m-2", "models"), search("s3", "c-c", "c-1", "control"),
        search("s4", "c-both", "b-1", "models"), search("s5", "c-both", "b-2", "control"),
    ])  # fmt: skip
    _write(settings, "search_impressions", before, [search("s0", "c-c", "c-0", "control")])
    _write(settings, "clicks", day, [
        {"search_id": "s1", "position": 1}, {"search_id": "s1", "position": 12},
        {"search_id": "s3", "position": 2},
    ])  # fmt: skip
    _write(settings, "recommendation_impressions", day, [
        {"recommendation_id": "r1", "customer_id": "c-m", "arm": "models"},
        {"recommendation_id": "r2", "customer_id": "c-c", "arm": "control"},
    ])  # fmt: skip
    _write(settings, "recommendation_clicks", day, [{"recommendation_id": "r1", "position": 3}])
    _write(settings, "orders", day, [
        {"order_id": "o1", "customer_id": "c-m", "status": "paid", "total": 30.0},
        {"order_id": "o2", "customer_id": "c-c", "status": "cancelled", "total": 99.0},
        {"order_id": "o3", "customer_id": "c-both", "status": "paid", "total": 500.0},
    ])  # fmt: skip
    _write(settings, "order_items", day, [{"order_id": "o1", "search_id": "s2"}])

    test = measure(settings, day, day)
    assert test.shoppers == {"control": 1, "models": 1}  # c-both is out: logged in both arms
    found = {c.metric: c for c in test.comparisons}
    assert (found["revenue_per_shopper"].models, found["revenue_per_shopper"].control) == (30, 0)
    # models: 1 click in the top 10 (position 12 is not) over 2 searches; control: 1 over 1,
    # the day before not counted
    assert (found["search_ctr_at_10"].models, found["search_ctr_at_10"].control) == (0.5, 1.0)
    conversion = found["conversion_per_search_session"]
    assert (conversion.models, conversion.control) == (0.5, 0.0)  # session m-2 bought from s2
    rec = found["recommendation_ctr_at_10"]
    assert (rec.models, rec.control) == (1.0, 0.0)
