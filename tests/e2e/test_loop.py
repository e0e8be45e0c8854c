"""The whole loop at small scale, as a user runs it: `python -m launch.up` in its own process,
two rounds: shoppers served by the baselines, a DAG that trains and gates, shoppers served by
round 1's champions through the same serving processes.

Real SQLite, tantivy, Spark, Great Expectations, Airflow (dag.test), Feast, dbt, MLflow and Ray
Serve; nothing is mocked. The assertions read the stores the loop wrote and call its APIs.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa

from launch.invariants import failed
from launch.lake_invariants import check_live_store
from storeloop.settings import REPO_ROOT, Settings

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.spark,
    pytest.mark.ray,
    pytest.mark.airflow,
]

SCALE = {
    "STORE_SIM_PRODUCTS": "400",
    "STORE_SIM_SHOPPERS": "60",
    "STORE_SIM_ROUNDS": "2",
    "STORE_SIM_DAYS": "2",
}
BASELINES = {"search-ranker": "index", "recommender": "popularity"}  # served without a champion


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("loop") / "var"
    env = {
        **os.environ,
        **SCALE,
        "STORE_DATA_DIR": str(data_dir),
        "STORE_SERVING_PORT": str(_free_port()),
        "STORE_GATEWAY_PORT": str(_free_port()),
        "STORE_ANALYTICS_URL": f"http://127.0.0.1:{_free_port()}",
        "PYTHONPATH": str(REPO_ROOT),
    }
    env.pop("AIRFLOW_HOME", None)
    log_path = data_dir.parent / "up.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "launch.up"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ready_file = data_dir / "reports" / "up_ready.json"
    deadline = time.monotonic() + 900
    while not ready_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL) if process.poll() is None else None
            pytest.fail(f"make up did not come up:\n{log_path.read_text()[-6000:]}")
        time.sleep(2)
    ready = json.loads(ready_file.read_text())
    settings = Settings(data_dir=data_dir)
    yield settings, ready
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _scalar(settings: Settings, sql: str, **params):
    engine = sa.create_engine(settings.db_url)
    with engine.connect() as conn:
        value = conn.execute(sa.text(sql), params).scalar_one()
    engine.dispose()
    return value


def _stock(settings: Settings, product_id: str) -> int | None:
    engine = sa.create_engine(settings.db_url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT payload FROM outbox WHERE aggregate_id = :p AND type = :t "
                "ORDER BY position DESC LIMIT 1"
            ),
            {"p": product_id, "t": "inventory.StockChanged.v1"},
        ).first()
    engine.dispose()
    return None if row is None else json.loads(row[0])["quantity"]


def _why_the_dag_failed(settings: Settings) -> str:
    """The tasks that did not succeed and the last tracebacks `make up` logged, for a message."""
    states = [r.get("dag_task_states", {}) for r in _rounds(settings)]
    unfinished = [{t: s for t, s in tasks.items() if s != "success"} for tasks in states]
    lines = (settings.data_dir.parent / "up.log").read_text(errors="replace").splitlines()
    # The last few: Spark's accumulator server logs one of its own when its JVM ends first.
    starts = [i for i, line in enumerate(lines) if "Traceback" in line][-3:]
    context = "\n...\n".join("\n".join(lines[i : i + 40]) for i in starts) or "(none)"
    return f"tasks not successful by round: {unfinished}\nlast tracebacks in up.log:\n{context}"


def test_the_dag_succeeded(loop):
    settings, ready = loop
    assert ready["dag_state"] == "success", _why_the_dag_failed(settings)


def test_the_stores_invariants_hold(loop):
    """The checks of `make check-invariants` on what the loop wrote: outbox = bronze by event id
    (none lost, none doubled), silver = what the events say, one capture per paid order and the
    reverse, orders = OrderPlaced events, stock equal to its last event and never negative."""
    settings, _ = loop
    assert _scalar(settings, "SELECT COUNT(*) FROM outbox WHERE type = 'orders.OrderPlaced.v1'")
    checks = check_live_store(settings.db_url, settings.lake_dir)
    assert {"outbox_equals_bronze", "silver_matches_events"} <= set(checks)
    assert not failed(checks), {name: checks[name].detail for name in failed(checks)}


def test_the_index_rebuilt_from_bronze_equals_the_loops(loop, tmp_path):
    """`make rebuild-from-bronze` on the loop's data dir, its search part: the index replayed from
    bronze up to the indexer's checkpoint equals the one the running indexer built. Silver, gold
    and Feast's online store rebuilt by the same command are compared in
    tests/integration/spark_jobs/test_rebuild_from_bronze.py, in the Spark session the other Spark
    tests share: here they would start a JVM and run every Spark job again (five minutes of the
    suite's two cores). Before any test below writes to the store."""
    settings, _ = loop
    command = [sys.executable, "-m", "launch.rebuild_from_bronze", "--data-dir", str(settings.root),
               "--scratch", str(tmp_path / "rebuilt"), "--parts", "search"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "STORE_DATA_DIR": str(settings.root)}
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    report = json.loads((settings.reports_dir / "rebuild_from_bronze.json").read_text())
    search = report["search"]
    assert report["equal"] and search["documents"]["rebuilt"] == search["documents"]["running"] > 0


def test_online_store_holds_features_for_products_sold(loop):
    settings, _ = loop
    from features.store import feature_store

    items = ds.dataset(
        settings.lake_dir / "silver" / "order_items", format="parquet", partitioning="hive"
    )
    sold = sorted(set(items.to_table(columns=["product_id"]).column("product_id").to_pylist()))[:50]
    online = (
        feature_store(settings)
        .get_online_features(
            features=["product_features:price", "product_features:units_7d"],
            entity_rows=[{"product_id": p} for p in sold],
        )
        .to_dict()
    )
    assert online["product_id"] == sold
    assert all(price is not None and price > 0 for price in online["price"])


def _champion(settings: Settings, name: str) -> str | None:
    """The version behind the `champion` alias, or None when no version has earned it."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    try:
        client = MlflowClient(tracking_uri=settings.tracking_uri)
        return str(client.get_model_version_by_alias(name, "champion").version)
    except MlflowException:
        return None


def _rounds(settings: Settings) -> list[dict]:
    return json.loads((settings.reports_dir / "rounds.json").read_text())


def _served_in_days(settings: Settings, event_type: str, key: str, first_day: int, days: int):
    """The model names that events of these simulated days carry (e.g. SearchPerformed.ranker)."""
    return {payload[key] for payload in _payloads_in_days(settings, event_type, first_day, days)}


def _payloads_in_days(settings: Settings, event_type: str, first_day: int, days: int) -> list:
    from datetime import timedelta

    from simulation.run import SIMULATION_START

    start = (SIMULATION_START + timedelta(days=first_day)).date().isoformat()
    end = (SIMULATION_START + timedelta(days=first_day + days)).date().isoformat()
    engine = sa.create_engine(settings.db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT payload FROM outbox"
                " WHERE type = :t AND occurred_at >= :a AND occurred_at < :b"
            ),
            {"t": event_type, "a": start, "b": end},
        ).all()
    engine.dispose()
    return [json.loads(row[0]) for row in rows]


def test_every_round_ran_its_dag_and_gated_both_models(loop):
    """Two rounds, each with a DAG run whose gates decided, with a reason, for both models; the
    same decisions are lines of decisions.jsonl and tags of the MLflow versions."""
    settings, _ = loop
    rounds = _rounds(settings)
    assert [r["number"] for r in rounds] == [1, 2]
    for row in rounds:
        assert row["dag_state"] == "success", _why_the_dag_failed(settings)
        for model in ("search-ranker", "recommender"):
            assert row["decisions"][model]["reason"], row["decisions"][model]
    logged = [
        json.loads(line)
        for line in (settings.reports_dir / "decisions.jsonl").read_text().splitlines()
    ]
    assert {d["model"] for d in logged} == {"search-ranker", "recommender"}
    assert len(logged) >= 4 and all(d["reason"] for d in logged)
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=settings.tracking_uri)
    for name in ("search-ranker", "recommender"):
        versions = client.search_model_versions(f"name='{name}'")
        assert versions, f"no {name} version registered"
        for version in versions:
            decided = ("champion", "rejected", "awaiting_experiment")
            assert version.tags["promotion.decision"] in decided
            assert version.tags["promotion.reason"]


def test_round_two_was_served_by_round_ones_champions(loop):
    """What round 1's DAG left behind (a registered version, or the baseline where nothing beat
    it) is what round 2's shoppers were shown: in serving's answers and in the events."""
    settings, _ = loop
    first, second = _rounds(settings)
    for model, event_type, key in (
        ("search-ranker", "storefront.SearchPerformed.v1", "ranker"),
        ("recommender", "storefront.RecommendationsShown.v1", "recommender"),
    ):
        baseline = BASELINES[model]
        assert _served_in_days(settings, event_type, key, first["first_day"], first["days"]) == {
            baseline
        }
        expected = first["champions_after"][model] or baseline
        logged = _payloads_in_days(settings, event_type, second["first_day"], second["days"])
        # The models arm: the champion, or for searches also the champion interleaved with the
        # ranker under experiment; the A/B test's control arm: the baseline, as in round 1.
        served = {p[key] for p in logged if p["arm"] != "control"}
        assert expected in served and served <= {expected, "interleaving"}, (model, served)
        assert {p[key] for p in logged if p["arm"] == "control"} == {baseline}
    assert first["champions_after"]["recommender"] is not None, "whatever wins is registered"


def test_every_round_measured_the_models_against_the_control_arm(loop):
    """make up runs an A/B test by shopper: every round's report holds both arms' figures with
    intervals, from the same run."""
    settings, _ = loop
    for row in _rounds(settings):
        test = row["ab_test"]
        assert test["shoppers"]["control"] > 0 and test["shoppers"]["models"] > 0, test
        revenue = next(c for c in test["comparisons"] if c["metric"] == "revenue_per_shopper")
        assert revenue["control"] > 0 and revenue["models"] > 0
        assert revenue["low"] <= revenue["difference"] <= revenue["high"]


def test_round_two_interleaved_round_ones_challenger_and_its_dag_ended_the_experiment(loop):
    """Round 1 left a ranker challenger; about half of round 2's searches were a team draft of
    it and the champion, each result naming its team; round 2's DAG read that experiment back
    from the lake, counted the same searches the store logged, and decided with its reason.
    Round 1's net is interleaved whatever the offline gate said of it: a win there or a tie waits
    for the interleaving, and a loss is interleaved too but never promoted."""
    settings, _ = loop
    first, second = _rounds(settings)
    champion, challenger = first["champions_after"]["search-ranker"], first["challenger_after"]
    assert champion is not None and challenger not in (None, champion), first
    searches = _payloads_in_days(
        settings, "storefront.SearchPerformed.v1", second["first_day"], second["days"]
    )
    drafted = [s for s in searches if s["ranker"] == "interleaving"]
    served_models = [s for s in searches if s["arm"] != "control"]
    # half of them, give or take the noise of a few dozen searches at this scale
    assert 0.15 < len(drafted) / len(served_models) < 0.85, (len(drafted), len(served_models))
    assert all(s["arm"] == "models" for s in drafted)
    for search in drafted:  # a result both rankers would have placed next names no team
        assert {r.get("team") for r in search["results"]} <= {champion, challenger, None}
    ended = second["experiment"]
    assert ended is not None and ended["stage"] == "online", second
    assert (ended["champion"], ended["challenger"]) == (champion, challenger)
    paired = [s for s in drafted if {r.get("team") for r in s["results"]} - {None}]
    assert ended["searches"] == len(paired) > 0
    assert ended["verdict"] in ("win", "loss", "inconclusive") and ended["reason"]
    if ended["decision"] == "promote_challenger":
        assert ended["verdict"] == "win" and ended["offline_gate"] == "passed"
    logged = (settings.reports_dir / "decisions.jsonl").read_text()
    assert ended["reason"] in logged


def test_a_share_of_first_pages_was_logged_with_a_random_swap(loop):
    """make up's explore share: about a tenth of relevance-ordered, not interleaved searches
    swapped one adjacent pair of the first ten, and said where."""
    settings, _ = loop
    first, second = _rounds(settings)
    days = first["days"] + second["days"]
    searches = _payloads_in_days(
        settings, "storefront.SearchPerformed.v1", first["first_day"], days
    )
    eligible = [s for s in searches if s["ranker"] != "interleaving" and len(s["results"]) > 1]
    swapped = [s for s in eligible if s.get("swapped_at") is not None]
    # Each serving replica draws from the same seed, so swaps come in pairs: a wide band.
    assert 0.02 < len(swapped) / len(eligible) < 0.3, (len(swapped), len(eligible))
    assert all(1 <= s["swapped_at"] < min(10, len(s["results"])) for s in swapped)
    assert all(s.get("swapped_at") is None for s in searches if s["ranker"] == "interleaving")


def test_serving_was_never_restarted(loop):
    """The same replica processes answered in both rounds and answer now."""
    settings, ready = loop
    first, second = _rounds(settings)
    assert first["replicas"] and first["replicas"] == second["replicas"]
    seen = {
        httpx.get(f"{ready['serving_url']}/health", timeout=30).json()["replica"] for _ in range(12)
    }
    assert seen <= set(first["replicas"])


def test_a_purchase_changes_the_next_recommendation(loop):
    """Fresh signals end to end: a new shopper signs up and gets the cold-start feed; they buy
    a product through the gateway; within seconds the feed is ranked from that purchase (read
    from Feast's online store at request time), while make up keeps serving."""
    settings, ready = loop
    gateway = ready["gateway_url"]
    for attempt in range(20):  # until a new shopper lands in the models arm of the A/B test
        account = {"email": f"fresh.signal.{attempt}@example.com", "password": "a long passphrase"}
        registered = httpx.post(
            f"{gateway}/api/auth/register", json={"name": "Fresh Signal", **account}, timeout=30
        )
        assert registered.status_code == 201, registered.text
        customer = registered.json()["user_id"]
        token = httpx.post(f"{gateway}/api/auth/login", json=account, timeout=30).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        feed = f"{gateway}/api/recommendations/{customer}"
        cold = httpx.get(feed, headers=headers, timeout=30).json()
        if cold["arm"] == "models":
            break
        assert cold["fallback"] == "control_arm", cold  # served without models, and says so
    assert cold["fallback"] == "unknown_customer" and cold["items"], cold
    bought = cold["items"][0]["product_id"]
    added = httpx.post(
        f"{gateway}/api/cart/items", json={"product_id": bought}, headers=headers, timeout=30
    )
    assert added.status_code == 201, added.text
    order = httpx.post(
        f"{gateway}/api/orders", json={"card_number": "4242424242424242"}, headers=headers,
        timeout=30,
    )  # fmt: skip
    assert order.status_code == 201 and order.json()["status"] == "paid", order.text
    deadline = time.monotonic() + 15
    while True:
        warm = httpx.get(feed, headers=headers, timeout=30).json()
        if warm["fallback"] is None:
            break
        assert time.monotonic() < deadline, f"the purchase never reached the feed: {warm}"
        time.sleep(0.5)
    assert [i["product_id"] for i in warm["items"]] != [i["product_id"] for i in cold["items"]]
    assert bought not in {i["product_id"] for i in warm["items"]}, "recommended what was bought"


def test_search_returns_existing_in_stock_products_ranked_by_the_champion(loop):
    settings, ready = loop
    champion = _champion(settings, "search-ranker")

    def search() -> dict:
        response = httpx.get(
            f"{ready['gateway_url']}/api/search",
            params={"q": "shoes", "in_stock_only": "true", "limit": 10},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        assert response.json()["results"], response.text
        return response.json()

    body = _in_stock_within_seconds(settings, search, "results")
    if champion is None:
        assert (body["ranker"], body["ranker_fallback"]) == ("index", "no_ranker")
    elif body["ranker"] == "interleaving":  # the ranker under experiment placed some results
        challenger = _rounds(settings)[-1]["challenger_after"]
        assert {hit.get("team") for hit in body["results"]} <= {champion, challenger, None}
    else:
        assert str(body["ranker"]) == champion
    for hit in body["results"]:
        assert (
            _scalar(
                settings, "SELECT COUNT(*) FROM outbox WHERE aggregate_id = :p", p=hit["product_id"]
            )
            > 0
        )


def test_recommendations_return_existing_in_stock_products(loop):
    settings, ready = loop
    customer = json.loads(
        _scalar(settings, "SELECT payload FROM outbox WHERE type = 'orders.OrderPlaced.v1' LIMIT 1")
    )["customer_id"]

    def feed() -> dict:
        # Serving's own API: through the gateway only the shopper (or an admin) reads their feed.
        response = httpx.get(f"{ready['serving_url']}/recommendations/{customer}", timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["items"], response.text
        return response.json()

    _in_stock_within_seconds(settings, feed, "items")


def _in_stock_within_seconds(settings: Settings, served, key: str) -> dict:
    """The answer of `served()` whose `key` lists only products in stock at the store. The
    index follows the store's stock through its consumer, so a sale an earlier test made may
    take a moment to reach it: `served` is asked again for a few seconds, never longer."""
    deadline = time.monotonic() + 15
    while True:
        answer = served()
        sold_out = [
            item["product_id"]
            for item in answer[key]
            if (_stock(settings, item["product_id"]) or 0) <= 0
        ]
        if not sold_out:
            return answer
        assert time.monotonic() < deadline, f"sold-out products kept being served: {sold_out}"
        time.sleep(1)


def _in_bronze(settings: Settings, event_id: str) -> bool:
    import pyarrow.parquet as pq

    files = (settings.lake_dir / "bronze" / "events").glob("dt=*/*.parquet")
    return any(
        event_id in pq.read_table(f, columns=["event_id"])["event_id"].to_pylist() for f in files
    )


def _write_bronze(settings: Settings, day: str, name: str, rows: list[dict]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = settings.lake_dir / "bronze" / "events" / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def test_bad_data_is_quarantined_or_stops_the_run_and_serving_keeps_its_champion(loop):
    """A producer bug lands two kinds of bad bronze data; the DAG runs again while serving is up.

    A malformed partition is quarantined and reported; a well-formed event with a negative price
    reaches silver, where the gate stops the run: no features, marts or models are replaced.
    """
    settings, ready = loop
    from datetime import UTC, datetime

    champions = {n: _champion(settings, n) for n in ("search-ranker", "recommender")}
    features_before = (settings.feast_dir / "online.db").stat().st_mtime
    last_day = max(p.name for p in (settings.lake_dir / "bronze" / "events").iterdir())[3:]
    snapshot = json.loads(
        _scalar(
            settings, "SELECT payload FROM outbox WHERE type = 'catalog.ProductCreated.v1' LIMIT 1"
        )
    )
    # Positions at or below the lake writer's checkpoint: the running `make up` keeps its lake
    # writer following the outbox, and that writer removes files past its checkpoint as the
    # leftovers of a crashed run.
    _write_bronze(
        settings,
        "2026-12-24",
        "part-000000000000-000000000000.parquet",
        [
            {
                "position": 0,
                "event_id": None,
                "type": "catalog.Nonsense.v0",
                "aggregate_id": "x",
                "payload": "{not json",
                "occurred_at": datetime(2026, 12, 24, tzinfo=UTC),
            },
        ],
    )
    # A producer bug that skips validation: a well-formed event with a negative price goes into
    # the outbox, and the lake writer that `make up` keeps running lands it in bronze.
    engine = sa.create_engine(settings.db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO outbox (event_id, type, aggregate_id, payload, occurred_at) "
                "VALUES ('bad-price-1', 'catalog.ProductUpdated.v1', :product, :payload, :at)"
            ),
            {
                "product": snapshot["product_id"],
                "payload": json.dumps({**snapshot, "price": "-5.00"}),
                "at": f"{last_day}T23:59:59+00:00",
            },
        )
    engine.dispose()
    deadline = time.monotonic() + 60
    while not _in_bronze(settings, "bad-price-1"):
        assert time.monotonic() < deadline, "the running lake writer did not land the event"
        time.sleep(0.5)
    outcome_file = settings.root.parent / "rerun.json"
    env = {**os.environ, "STORE_DATA_DIR": str(settings.root), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("AIRFLOW_HOME", None)
    rerun = subprocess.run(
        [sys.executable, "-m", "launch.airflow_runner", "--json-out", str(outcome_file)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert rerun.returncode == 1, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    outcome = json.loads(outcome_file.read_text())
    assert outcome["state"] == "failed"
    assert outcome["tasks"]["spark_silver"]["state"] == "success"
    assert outcome["tasks"]["check_silver"]["state"] == "failed"
    for downstream in ("spark_gold", "feast_materialize", "train_ranker", "train_recommender"):
        assert outcome["tasks"][downstream]["state"] == "upstream_failed"

    quality = json.loads((settings.reports_dir / "quality.json").read_text())
    assert "2026-12-24" in json.dumps(quality["bronze"])
    assert (settings.lake_dir / "quarantine" / "events" / "dt=2026-12-24").exists()
    assert "price" in json.dumps(quality["silver"])
    assert (settings.feast_dir / "online.db").stat().st_mtime == features_before
    assert {n: _champion(settings, n) for n in champions} == champions
    models = httpx.get(f"{ready['serving_url']}/models", timeout=30).json()
    assert models["search-ranker"] == champions["search-ranker"]
    search = httpx.get(f"{ready['gateway_url']}/api/search", params={"q": "shoes"}, timeout=30)
    assert search.status_code == 200 and search.json()["results"]


def _scrape(url: str) -> list[tuple[str, dict, float]]:
    from prometheus_client.parser import text_string_to_metric_families

    answer = httpx.get(f"{url}/metrics", timeout=30)
    assert answer.status_code == 200, answer.text
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    ]


def test_metrics_name_the_models_the_feature_ages_and_the_consumers_lag(loop):
    """What on-call reads after the rounds: serving's models (the champions, or the baselines)
    and how old they are, how far Feast was materialized, each consumer's lag, and the failed
    task of the bad-data rerun above; every series the alert rules and the dashboard query."""
    settings, ready = loop
    serving = _scrape(ready["serving_url"])
    slots = [labels for name, labels, _ in serving if name.endswith("model_info")]
    info = {labels["model"]: labels for labels in slots if labels["alias"] == "champion"}
    created = {labels["model"]: value for name, labels, value in serving
               if name == "storeloop_serving_model_created_timestamp_seconds"}  # fmt: skip
    for model, baseline in BASELINES.items():
        champion = _champion(settings, model)
        if champion is None:
            assert (info[model]["version"], info[model]["kind"]) == ("", baseline)
        else:
            assert info[model]["version"] == champion
            assert 0 < time.time() - created[model] < 3_600  # trained during this run
    ages = {labels["feature_view"]: value for name, labels, value in serving
            if name == "storeloop_serving_feature_age_seconds"}  # fmt: skip
    assert "product_features" in ages and all(age >= 0 for age in ages.values()), ages

    gateway = _scrape(ready["gateway_url"])
    lag = {(name, labels["consumer"]): value for name, labels, value in gateway
           if name.startswith("storeloop_consumer_lag")}  # fmt: skip
    consumers = {"lake_writer", "search_indexer", "query_log", "shopper_activity"}
    assert {consumer for _, consumer in lag} == consumers
    outbox = _scalar(settings, "SELECT COUNT(*) FROM outbox")
    # Followed while serving: at most the few events of the requests made by the tests above.
    assert all(0 <= lag[("storeloop_consumer_lag_events", c)] < outbox / 10 for c in consumers)
    failed = {labels["task_id"]: value for name, labels, value in gateway
              if name == "storeloop_dag_task_failures_total"}  # fmt: skip
    assert failed.get("check_silver", 0) >= 1, failed

    from tests.unit.ops.test_alerts_and_dashboard import EXPORTED

    missing = EXPORTED - {name for name, _, _ in serving + gateway}
    assert not missing, missing
