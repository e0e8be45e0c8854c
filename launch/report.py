"""What `make up` prints at the end: what happened, and where to look."""

from __future__ import annotations

import secrets

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from storeloop.settings import Settings


def events_by_type(settings: Settings) -> dict[str, int]:
    engine = sa.create_engine(settings.db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT type, COUNT(*) FROM outbox GROUP BY type ORDER BY type")
        )
        counts = {type_: count for type_, count in rows}
    engine.dispose()
    return counts


def model_versions(settings: Settings) -> list[dict]:
    """Every registered version with its aliases and the metrics of the run that made it."""
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(settings.tracking_uri)
    client = MlflowClient()
    found = []
    for model in client.search_registered_models():
        aliases_by_version: dict[str, list[str]] = {}
        for alias, version in (model.aliases or {}).items():
            aliases_by_version.setdefault(str(version), []).append(alias)
        for version in client.search_model_versions(f"name='{model.name}'"):
            metrics = client.get_run(version.run_id).data.metrics if version.run_id else {}
            found.append(
                {
                    "model": model.name,
                    "version": int(version.version),
                    "aliases": aliases_by_version.get(str(version.version), []),
                    "metrics": {k: round(v, 4) for k, v in sorted(metrics.items())},
                    "kind": (version.tags or {}).get("model.kind", ""),
                    "decision": (version.tags or {}).get("promotion.reason", ""),
                }
            )
    return sorted(found, key=lambda v: (v["model"], v["version"]))


def smoke_check_apis(settings: Settings, gateway_url: str) -> dict:
    """Ask the gateway for a search and, as a newly signed-up shopper, for their own feed, as a
    storefront would (a feed is its shopper's only)."""
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        search = client.get("/api/search", params={"q": "running shoes", "limit": 5})
        search.raise_for_status()
        account = {
            "email": f"smoke.{secrets.token_hex(4)}@example.com",
            "password": secrets.token_urlsafe(18),
        }
        registered = client.post("/api/auth/register", json={"name": "Smoke Check", **account})
        registered.raise_for_status()
        login = client.post("/api/auth/login", json=account)
        login.raise_for_status()
        token, customer = login.json()["access_token"], registered.json()["user_id"]
        feed = client.get(
            f"/api/recommendations/{customer}",
            params={"k": 5},
            headers={"Authorization": f"Bearer {token}"},
        )
        feed.raise_for_status()
    return {
        "search_results": len(search.json().get("results", [])),
        "search_ranker": search.json().get("ranker"),
        "recommendations": len(feed.json().get("items", feed.json().get("results", []))),
        "customer": customer,
    }


def print_summary(
    settings: Settings, facts: dict, gateway_url: str, serving_url: str, console: Console
) -> None:
    console.rule("what happened")
    for row in facts["rounds"]:
        console.print(round_table(row))
    events = Table("event type", "events", title="Outbox events")
    for type_, count in events_by_type(settings).items():
        events.add_row(type_, str(count))
    console.print(events)
    versions = Table("model", "version", "kind", "aliases", "decision", title="MLflow registry")
    for v in model_versions(settings):
        versions.add_row(
            v["model"], str(v["version"]), v["kind"], ",".join(v["aliases"]), v["decision"]
        )
    console.print(versions)
    console.print(f"API check: {facts.get('api_check')}")
    console.print(f"Wall times (s): {facts['seconds']}")
    console.rule("where to look")
    console.print(f"web storefront and sellers:    {gateway_url}/shop/")
    console.print(f"store gateway, OpenAPI docs:   {gateway_url}/docs")
    console.print(f"search and recommendations:    {serving_url}/docs")
    console.print(f"  e.g. curl '{gateway_url}/api/search?q=running+shoes'")
    console.print(
        f"every round and gate decision: {settings.reports_dir}/rounds.json, decisions.jsonl"
    )
    console.print(f"analytics sandbox received:    {settings.analytics_url}/v1/stats")
    console.print(
        f"MLflow UI:                     make mlflow-ui  (tracking store {settings.tracking_uri})"
    )
    console.print(f"lake, features, marts:         {settings.root}")


def round_table(row: dict) -> Table:
    """One round: which model filled each surface and what shoppers did with it; below, what the
    round's DAG decided and how long serving took to follow."""
    shop = row["shopping"]
    title = (
        f"Round {row['number']}: days {row['first_day'] + 1}-{row['first_day'] + row['days']}, "
        f"{shop['sessions']} sessions, {shop['orders_paid']} orders paid, revenue {shop['revenue']}"
    )
    table = Table(
        "surface", "served by", "lists", "clicks", "CTR", "cart adds", "revenue", title=title
    )
    for served in shop["served"]:
        ctr = served["clicks"] / served["shown"] if served["shown"] else 0.0
        table.add_row(
            served["surface"], served["model"], str(served["shown"]), str(served["clicks"]),
            f"{ctr:.3f}", str(served["cart_adds"]), served["revenue"],
        )  # fmt: skip
    lines = [f"DAG store_loop: {row['dag_state']}"]
    for model, decision in row["decisions"].items():
        said = decision.get("reason") or f"no decision, training {decision.get('state')}"
        lines.append(f"gate {model}: {said}")
    if row.get("experiment"):
        lines.append(f"experiment search-ranker: {row['experiment']['reason']}")
    after = ", ".join(f"{m} {v or 'none (baseline)'}" for m, v in row["champions_after"].items())
    lines.append(f"champions after: {after}")
    if row.get("challenger_after"):
        lines.append(
            f"next round interleaves search-ranker v{row['challenger_after']} with the champion"
        )
    lines.append(
        f"serving followed in {row['serving_followed_s']} s, same replicas "
        f"{', '.join(row['replicas'])} (no restart)"
    )
    lines += ab_lines(row.get("ab_test"))
    table.caption = "\n".join(lines)
    table.caption_justify = "left"
    return table


def ab_lines(test: dict | None) -> list[str]:
    """The A/B test of a round: each figure in both arms and the models arm's difference."""
    if not test:
        return []
    arms = test["shoppers"]
    lines = [f"A/B by shopper: {arms.get('models', 0)} shoppers served the models, "
             f"{arms.get('control', 0)} the control (index order, popularity)"]  # fmt: skip
    for c in test["comparisons"]:
        noise = "" if c["beyond_noise"] else ", within noise"
        lines.append(
            f"  {c['metric']}: models {c['models']:.4f} vs control {c['control']:.4f} "
            f"({c['lift']:+.1%}, 95% CI of the difference [{c['low']:+.4f}, {c['high']:+.4f}]"
            f"{noise})"
        )
    return lines


def _short(result: object, limit: int = 90) -> str:
    text = "" if result is None else str(result)
    return text if len(text) <= limit else text[: limit - 3] + "..."
