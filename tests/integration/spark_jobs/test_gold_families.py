"""Gold's family fields, hand-checked on a lake of its own: a parent with two size variants and a
standalone product, through Spark's silver and gold product_features."""

from __future__ import annotations

import pandas as pd
import pytest
from bronze_events import at, click, created, order, product, row, searched, write_part

from contracts import events as E
from spark_jobs.gold_features import build_product_features
from spark_jobs.gold_inputs import Silver
from spark_jobs.silver import run_silver
from storeloop.settings import Settings

pytestmark = pytest.mark.spark

PARENT, SIZE_8, SIZE_9, SOLO = "p-shoe", "p-shoe-8", "p-shoe-9", "p-solo"


def variant(pid: str, size: str) -> tuple:
    body = {**product(pid, "shoes", "Acme", "50.00", at(1, "08:00")), "parent_id": PARENT,
            "options": {"size": size}}  # fmt: skip
    return (E.PRODUCT_CREATED, pid, body, at(1, "08:00"))


def bought(oid: str, pids: list[str], when) -> tuple:
    body = order(oid, "c-000001", pids[0], 1, "50.00", when)
    body["items"] = [{**body["items"][0], "product_id": pid} for pid in pids]
    return (E.ORDER_PLACED, oid, body, when)


def family_events() -> list[tuple]:
    parent = {**product(PARENT, "shoes", "Acme", "50.00", at(1, "08:00")),
              "option_names": ["size"]}  # fmt: skip
    d1, d2 = (lambda t: at(1, t)), (lambda t: at(2, t))
    return [
        (E.PRODUCT_CREATED, PARENT, parent, d1("08:00")),
        variant(SIZE_8, "8"),
        variant(SIZE_9, "9"),
        created(SOLO, "shoes", "Brio", "40.00", d1("08:00")),
        searched("srch-1", "c-000001", "shoes", [SIZE_8, SOLO], d1("09:00")),
        click("srch-1", "c-000001", SIZE_8, 1, d1("09:01")),
        bought("o-1", [SIZE_8], d1("10:00")),
        bought("o-5", [SOLO], d1("11:00")),
        searched("srch-2", "c-000001", "shoes", [SIZE_9, SIZE_8, SOLO], d2("09:00")),
        click("srch-2", "c-000001", SIZE_9, 1, d2("09:01")),
        click("srch-2", "c-000001", SOLO, 3, d2("09:02")),
        bought("o-2", [SIZE_8, SIZE_9], d2("10:00")),  # two sizes, one order of the family
        bought("o-3", [SIZE_9, SOLO], d2("10:30")),  # counts once in each family
        bought("o-4", [SIZE_9], d2("11:00")),
    ]


@pytest.fixture(scope="module")
def features(tmp_path_factory, spark) -> pd.DataFrame:
    settings = Settings(data_dir=tmp_path_factory.mktemp("families"))
    settings.ensure_dirs()
    rows = [row(i + 1, *event) for i, event in enumerate(family_events())]
    for day in sorted({r["occurred_at"].strftime("%Y-%m-%d") for r in rows}):
        dated = [r for r in rows if r["occurred_at"].strftime("%Y-%m-%d") == day]
        write_part(settings.lake_dir / "bronze" / "events" / f"dt={day}", dated)
    run_silver(settings, spark)
    silver = Silver.read(spark, settings)
    built = build_product_features(silver, silver.calendar()).filter("dt = '2024-05-02'")
    return built.toPandas().set_index("product_id")


def test_variants_share_their_familys_distinct_orders_and_clicks(features):
    sizes = features.loc[[SIZE_8, SIZE_9]]
    assert list(sizes["orders_7d"]) == [2, 3]  # o-1, o-2; o-2, o-3, o-4
    # o-1 .. o-4: o-2 bought both sizes and counts once.
    assert list(sizes["family_orders_7d"]) == [4, 4]
    assert features.loc[PARENT, ["orders_7d", "family_orders_7d"]].tolist() == [0, 4]
    # Family impressions 2 + 1 and clicks 1 + 1, smoothed as ctr_7d is.
    assert list(sizes["ctr_7d"]) == pytest.approx([2 / 22, 2 / 21])
    assert list(sizes["family_ctr_7d"]) == pytest.approx([3 / 23, 3 / 23])


def test_a_standalone_product_is_its_own_family(features):
    solo = features.loc[SOLO]
    assert (solo["orders_7d"], solo["family_orders_7d"]) == (2, 2)  # o-5, o-3
    assert solo["family_ctr_7d"] == pytest.approx(solo["ctr_7d"])
    assert solo["ctr_7d"] == pytest.approx(2 / 22)
