"""The sellers' sales view end to end on real marts: the reader over a dbt build of a small lake,
and GET /api/sellers/me/sales on the gateway, by whom, for how long, and while dbt holds the
DuckDB file (503 with Retry-After, never a 500)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import duckdb
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from storeloop.seller_sales import DaysOutOfRange, SalesUnavailable, SellerSalesErrorCode
from storeloop.settings import Settings
from tests.integration.warehouse.sales_lake import Line, SoldOrder, write_sales_lake
from transactional.bootstrap import bootstrap
from transactional.common.clock import SimulatedClock
from transactional.gateway.app import create_app
from warehouse.dbt_build import build_marts
from warehouse.seller_sales import MartsSellerSales

pytestmark = pytest.mark.slow

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"
TODAY = date(2026, 1, 10)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


@dataclass
class Gateway:
    api: TestClient
    settings: Settings
    headers: dict[str, dict[str, str]]  # who -> Authorization
    seller_id: str


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> Iterator[Gateway]:
    """A store whose seller sold on days 1, 9 and 10 (another seller on day 10), its marts built
    by dbt from a lake holding those orders, and the gateway reading them."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("sales"), serving_port=9)
    settings.ensure_dirs()
    store = bootstrap(settings, clock=SimulatedClock(datetime(2026, 1, 10, 18, tzinfo=UTC)))
    app = create_app(
        settings, store=store, hasher=CHEAP_HASHER, seller_sales=MartsSellerSales(settings)
    )
    ids = {
        who: store.users.register(who, f"{who}@x.io", role, PASSWORD)
        for who, role in [("seller", "seller"), ("rival", "seller"), ("shopper", "customer")]
    }
    kettle, mug, lamp = (
        Line("p-kettle", ids["seller"], 2, 30.0),
        Line("p-mug", ids["seller"], 1, 7.5),
        Line("p-lamp", ids["rival"], 1, 99.0),
    )
    shopper = ids["shopper"]
    write_sales_lake(
        settings.lake_dir,
        [
            SoldOrder("o-old", shopper, "delivered", at(1), [kettle]),  # outside 7 days
            SoldOrder("o-1", shopper, "paid", at(9, 9), [kettle, lamp]),
            SoldOrder("o-2", shopper, "cancelled", at(9, 10), [mug]),
            SoldOrder("o-3", shopper, "refunded", at(10, 8), [mug]),
            SoldOrder("o-4", shopper, "shipped", at(10, 9), [kettle, mug]),
        ],
    )
    build_marts(settings)
    with TestClient(app) as api:
        headers = {}
        for who in ids:
            body = {"email": f"{who}@x.io", "password": PASSWORD}
            token = api.post("/api/auth/login", json=body).json()["access_token"]
            headers[who] = {"Authorization": f"Bearer {token}"}
        yield Gateway(api, settings, headers, ids["seller"])
    store.close()


def test_the_reader_gives_the_sellers_days_newest_first(gateway):
    days = MartsSellerSales(gateway.settings).days_of(gateway.seller_id, 7, TODAY)
    assert [(d.day, d.orders, d.paid_orders, d.units) for d in days] == [
        (date(2026, 1, 10), 2, 2, 4),  # o-3 (refunded: sold, then refunded) and o-4
        (date(2026, 1, 9), 2, 1, 2),  # o-1 paid (the lamp is the rival's), o-2 cancelled
    ]
    assert [(d.gross_revenue, d.refunds, d.net_revenue) for d in days] == [
        (Decimal("75.00"), Decimal("7.50"), Decimal("67.50")),
        (Decimal("60.00"), Decimal("0.00"), Decimal("60.00")),
    ]
    assert len(MartsSellerSales(gateway.settings).days_of(gateway.seller_id, 10, TODAY)) == 3
    assert MartsSellerSales(gateway.settings).days_of("s-nobody", 90, TODAY) == []


@pytest.mark.parametrize("days", [0, -1, 91])
def test_the_reader_refuses_a_period_out_of_bounds(gateway, days):
    with pytest.raises(DaysOutOfRange) as refused:
        MartsSellerSales(gateway.settings).days_of(gateway.seller_id, days, TODAY)
    assert refused.value.field == "days"


def test_marts_never_built_or_built_before_the_mart_read_as_no_sales(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert MartsSellerSales(settings).days_of("s-1", 30, TODAY) == []
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(settings.warehouse_path)).close()  # a file without the mart
    assert MartsSellerSales(settings).days_of("s-1", 30, TODAY) == []


def test_a_seller_gets_their_own_days_and_totals(gateway):
    answer = gateway.api.get("/api/sellers/me/sales?days=7", headers=gateway.headers["seller"])
    assert answer.status_code == 200, answer.text
    sales = answer.json()
    assert (sales["days"], sales["first_day"], sales["last_day"]) == (7, "2026-01-04", "2026-01-10")
    assert [d["day"] for d in sales["items"]] == ["2026-01-10", "2026-01-09"]
    assert sales["items"][0]["gross_revenue"] == "75.00"
    assert sales["totals"] == {
        "orders": 4, "paid_orders": 3, "units": 6, "gross_revenue": "135.00",
        "refunded_orders": 1, "refunds": "7.50", "net_revenue": "127.50",
    }  # fmt: skip
    default = gateway.api.get("/api/sellers/me/sales", headers=gateway.headers["seller"]).json()
    assert default["days"] == 30 and len(default["items"]) == 3
    rival = gateway.api.get("/api/sellers/me/sales", headers=gateway.headers["rival"]).json()
    assert [(d["day"], d["gross_revenue"]) for d in rival["items"]] == [("2026-01-09", "99.00")]


def test_only_signed_in_sellers_see_sales(gateway):
    shopper = gateway.api.get("/api/sellers/me/sales", headers=gateway.headers["shopper"])
    assert (shopper.status_code, shopper.json()["error"]["code"]) == (403, "role_not_allowed")
    assert gateway.api.get("/api/sellers/me/sales").status_code == 401


@pytest.mark.parametrize("days", ["0", "91", "-3", "a week"])
def test_a_period_out_of_bounds_is_refused_by_field(gateway, days):
    answer = gateway.api.get(
        "/api/sellers/me/sales", params={"days": days}, headers=gateway.headers["seller"]
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"
    assert answer.json()["error"]["field"] == "days"


def test_while_dbt_holds_the_file_the_answer_is_503_with_retry_after(gateway):
    """Another process writing (dbt in the DAG's task) locks the file; so does a writer in this
    process (dbt run in-process by the embedded loop)."""
    path = str(gateway.settings.warehouse_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys; c = duckdb.connect({path!r}); print('held', flush=True); "
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        busy = gateway.api.get("/api/sellers/me/sales", headers=gateway.headers["seller"])
        assert busy.status_code == 503
        assert busy.json()["error"]["code"] == "marts_busy"
        assert int(busy.headers["Retry-After"]) > 0
    finally:
        holder.communicate("", timeout=30)
    with duckdb.connect(path):
        with pytest.raises(SalesUnavailable) as caught:
            MartsSellerSales(gateway.settings).days_of(gateway.seller_id, 7, TODAY)
        assert caught.value.code is SellerSalesErrorCode.MARTS_BUSY
    after = gateway.api.get("/api/sellers/me/sales", headers=gateway.headers["seller"])
    assert after.status_code == 200


def test_a_gateway_without_a_marts_reader_says_so(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9)
    with TestClient(create_app(settings, hasher=CHEAP_HASHER)) as api:
        api.app.state.auth.register("Sol", "sol@x.io", PASSWORD, "seller")  # type: ignore[attr-defined]
        body = {"email": "sol@x.io", "password": PASSWORD}
        token = api.post("/api/auth/login", json=body).json()["access_token"]
        answer = api.get("/api/sellers/me/sales", headers={"Authorization": f"Bearer {token}"})
    assert (answer.status_code, answer.json()["error"]["code"]) == (503, "sales_not_served")
