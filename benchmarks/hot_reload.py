"""Hot reload under load: 8 clients search and fetch recommendations through Ray Serve while the
`champion` aliases move; counts failed requests, times how long until the new versions answer
(first reply, then every replica), and reports latency before, during and after the swap.

Run it on the data dir of a `make up` (the registry needs, per model, a champion and another
version that loads; the rounds of `make up` register both):

    .venv/bin/python -m benchmarks.hot_reload --data-dir ./var

It calls Ray Serve directly, not the gateway: serving has no rate limiter, so there is none to
set. The aliases are put back where they were at the end. The reference is the same clients'
steady state before the swap, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.measure import latency_summary, machine
from benchmarks.reports import headline, write_report
from serving.champions import POLL_S
from storeloop.settings import Settings

MODELS = {"search-ranker": "ranker", "recommender": "recommender"}  # name -> response field
GOAL_S = 10.0


@dataclass
class Reply:
    started: float  # monotonic seconds
    ms: float
    ok: bool
    model: str  # which registered model answered this kind of request
    version: str | None
    # search: why the ranker did not order the list ("sorted" by the query, "over_budget" under
    # load); such a reply names index order, not an old version
    fallback: str | None = None


@dataclass
class Load:
    """Clients calling until `stop`; every reply kept for the report."""

    url: str
    queries: list[str]
    customers: list[str]
    clients: int
    stop: threading.Event = field(default_factory=threading.Event)
    replies: list[Reply] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def run(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]
        for thread in threads:
            thread.start()
        return threads

    def _client(self, n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=self.url, timeout=30.0) as client:
            while not self.stop.is_set():
                if rng.random() < 0.5:
                    query = {"q": rng.choice(self.queries)}
                    reply = self._call(client, "search-ranker", "/search", query)
                else:
                    path = f"/recommendations/{rng.choice(self.customers)}"
                    reply = self._call(client, "recommender", path, {"k": 10})
                self.replies.append(reply)

    def _call(self, client: httpx.Client, model: str, path: str, params: dict) -> Reply:
        started = time.monotonic()
        try:
            answer = client.get(path, params=params)
            ok = answer.status_code == 200
            body = answer.json() if ok else {}
            version = str(body.get(MODELS[model])) if ok else None
            fallback = body.get("ranker_fallback") if model == "search-ranker" else None
            if not ok:
                self.errors.append(f"{path}: HTTP {answer.status_code}")
        except httpx.HTTPError as error:  # a dropped request is what this benchmark counts
            ok, version, fallback = False, None, None
            self.errors.append(f"{path}: {error!r}")
        return Reply(started, (time.monotonic() - started) * 1000, ok, model, version, fallback)


def servable_targets(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Per model, the champion now and the newest other version saved by the current code
    (tagged with its kind); a model without one is left out."""
    from models.tracking import mlflow_client

    client = mlflow_client(settings)
    champions, targets = {}, {}
    for name in MODELS:
        try:
            champion = str(client.get_model_version_by_alias(name, "champion").version)
        except Exception:  # no champion yet: nothing to swap from
            continue
        versions = client.search_model_versions(f"name='{name}'")
        others = sorted(
            (v for v in versions if str(v.version) != champion and "model.kind" in v.tags),
            key=lambda v: int(v.version),
        )
        if others:
            champions[name], targets[name] = champion, str(others[-1].version)
    return champions, targets


def move_aliases(settings: Settings, versions: dict[str, str]) -> None:
    from models.tracking import mlflow_client

    client = mlflow_client(settings)
    for name, version in versions.items():
        client.set_registered_model_alias(name, "champion", version)


def swap_figures(load: Load, swap_at: float, targets: dict[str, str]) -> dict[str, Any]:
    """Seconds from the alias move to the first reply of the new version, and to the last reply
    of an old one (after which every replica answers with the new version)."""
    figures: dict[str, Any] = {}
    for name, version in targets.items():
        after = [
            r
            for r in load.replies
            if r.model == name and r.ok and r.started >= swap_at and r.fallback is None
        ]
        new = [r.started + r.ms / 1000 - swap_at for r in after if r.version == version]
        old = [r.started + r.ms / 1000 - swap_at for r in after if r.version != version]
        figures[name] = {
            "to_version": version,
            "first_new_reply_s": round(min(new), 2) if new else None,
            "last_old_reply_s": round(max(old), 2) if old else 0.0,
            "replies_after_swap": len(after),
        }
    return figures


def phase(load: Load, start: float, end: float) -> dict[str, Any]:
    replies = [r for r in load.replies if start <= r.started < end]
    return {
        "requests": len(replies),
        "failed": sum(not r.ok for r in replies),
        **latency_summary([r.ms for r in replies if r.ok]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: STORE_DATA_DIR")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--steady-s", type=float, default=20.0)
    parser.add_argument("--after-s", type=float, default=30.0)
    parser.add_argument("--poll-s", type=float, default=POLL_S, help="serving's alias poll")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    champions, targets = servable_targets(settings)
    if not targets:
        raise SystemExit("no model has a second servable version: run `make up` (rounds) first")
    queries, customers = workload(settings)
    from serving import run

    print(f"starting serving on {settings.serving_url} ...", flush=True)
    url = run.start(settings, poll_s=args.poll_s)
    load = Load(url, queries, customers, args.clients)
    threads = load.run()
    try:
        started = time.monotonic()
        time.sleep(args.steady_s)
        swap_at = time.monotonic()
        print(f"moving champion aliases {champions} -> {targets} under load ...", flush=True)
        move_aliases(settings, targets)
        time.sleep(args.after_s)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        move_aliases(settings, {name: champions[name] for name in targets})
        run.stop()
    swapped = swap_figures(load, swap_at, targets)
    settled = max((f["last_old_reply_s"] or 0.0) for f in swapped.values())
    figures = {
        "machine": machine(),
        "clients": args.clients,
        "poll_s": args.poll_s,
        "models": swapped,
        "steady_before_swap (reference)": phase(load, started + 2, swap_at),
        "during_swap": phase(load, swap_at, swap_at + settled + 1),
        "after_swap": phase(load, swap_at + settled + 1, float("inf")),
        "failed_requests": sum(not r.ok for r in load.replies),
        "search_ranker_fallbacks": dict(Counter(r.fallback for r in load.replies if r.fallback)),
        "first_errors": load.errors[:5],
        "goal": f"zero failed requests; every model's new version answers within {GOAL_S:.0f} s",
        "load_average_end": os.getloadavg(),
        "command": f"python -m benchmarks.hot_reload --data-dir {settings.data_dir}",
    }
    during, steady = figures["during_swap"], figures["steady_before_swap (reference)"]
    firsts = [f["first_new_reply_s"] for f in swapped.values()]
    figures["headline"] = headline(
        "search/feed p99 during the alias swap", during.get("p99_ms"), steady.get("p99_ms"),
        reference_name="steady before the swap", unit="ms",
        goal=f"0 failed; new versions answer within {GOAL_S:.0f} s",
        met=figures["failed_requests"] == 0
        and all(first is not None and first <= GOAL_S for first in firsts),
    )  # fmt: skip
    print(json.dumps(figures, indent=2))
    write_report("hot_reload", figures)


def workload(settings: Settings) -> tuple[list[str], list[str]]:
    """Queries of real titles from the index and the store's registered customers."""
    import sqlalchemy as sa

    from benchmarks.search_million import query_mix
    from serving.search.index.tantivy_index import TantivyIndex

    index = TantivyIndex(settings.search_index_dir)
    queries = query_mix(index, 500)
    index.close()
    engine = sa.create_engine(settings.db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT aggregate_id FROM outbox WHERE type = :t"),
            {"t": "users.CustomerRegistered.v1"},
        )
        customers = [row[0] for row in rows]
    engine.dispose()
    return queries, customers[:2_000] or ["nobody"]


if __name__ == "__main__":
    main()
