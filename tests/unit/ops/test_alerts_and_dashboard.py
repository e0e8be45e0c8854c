"""The alert rules and the Grafana dashboard parse, are complete, and query only metrics the store
exports, with PromQL that at least balances and calls functions Prometheus has."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from storeloop.settings import REPO_ROOT

ALERTS = REPO_ROOT / "ops" / "prometheus" / "alerts.yml"
DASHBOARD = REPO_ROOT / "ops" / "grafana" / "storeloop.json"

# Mirrors the exporters: the gateway's and serving's metrics modules, the consumers' lag, and
# storeloop.dag_failures. A scrape test of the running store checks that each of these exists.
EXPORTED = {
    "storeloop_gateway_requests_total",
    "storeloop_gateway_request_seconds_bucket",
    "storeloop_serving_requests_total",
    "storeloop_serving_request_seconds_bucket",
    "storeloop_serving_model_info",
    "storeloop_serving_model_created_timestamp_seconds",
    "storeloop_serving_experiment_requests_total",
    "storeloop_serving_feature_age_seconds",
    "storeloop_consumer_lag_events",
    "storeloop_consumer_lag_seconds",
    "storeloop_dag_task_failures_total",
    "storeloop_dag_last_failure_timestamp_seconds",
}
FUNCTIONS = {"rate", "irate", "increase", "histogram_quantile", "time", "sum", "max", "min", "avg"}
FUNCTIONS |= {"count", "topk", "bottomk", "abs", "clamp_min", "absent", "label_values"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless"}
KEYWORDS |= {"bool", "offset"}
# Label matchers, range selectors and grouping lists hold label names and durations, not metrics.
MATCHERS = re.compile(r"\{[^{}]*\}|\[[^\[\]]*\]|\b(?:by|without|on|ignoring)\s*\([^()]*\)")
# Not the exponent of a number (1e3) nor a piece of a longer name.
IDENTIFIER = re.compile(r"(?<![\w.:])[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\()?)")


def alert_rules() -> list[dict]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def query_panels() -> list[dict]:
    # Rows only group the panels below them; they query nothing.
    return [panel for panel in dashboard()["panels"] if panel["type"] != "row"]


def all_queries() -> list[str]:
    targets = [target for panel in query_panels() for target in panel["targets"]]
    return [rule["expr"] for rule in alert_rules()] + [target["expr"] for target in targets]


def metrics_in(expr: str) -> set[str]:
    """The metric names a query reads; fails on a call of anything PromQL does not have."""
    bare = MATCHERS.sub(" ", expr)
    metrics = set()
    for match in IDENTIFIER.finditer(bare):
        name, is_call = match.group(0), match.group(1)
        if is_call and name not in KEYWORDS:
            assert name in FUNCTIONS, f"unknown function {name} in {expr}"
        elif name not in KEYWORDS:
            metrics.add(name)
    return metrics


def test_every_alert_says_what_and_how_bad():
    rules = alert_rules()
    assert len({rule["alert"] for rule in rules}) == len(rules), "duplicate alert names"
    for rule in rules:
        assert rule["expr"].strip() and "for" in rule, rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]


def test_the_alerts_cover_each_failure_the_store_watches():
    queried = set().union(*(metrics_in(rule["expr"]) for rule in alert_rules()))
    # Which models serve, and the experiment's split, are for reading on the dashboard.
    for_reading = {"storeloop_serving_model_info", "storeloop_serving_experiment_requests_total"}
    assert queried == EXPORTED - for_reading


def test_the_stale_champion_alert_says_its_n():
    [rule] = [r for r in alert_rules() if r["alert"] == "StoreloopChampionStale"]
    assert "7 * 86400" in rule["expr"] and 'alias="champion"' in rule["expr"]
    assert "N = 7 days" in rule["annotations"]["description"]


def test_the_dashboard_imports_with_a_datasource_to_choose():
    board = dashboard()
    assert board["uid"] and board["title"] and board["id"] is None
    [variable] = [v for v in board["templating"]["list"] if v["type"] == "datasource"]
    assert variable["query"] == "prometheus"
    ids = [panel["id"] for panel in board["panels"]]
    assert len(set(ids)) == len(ids), "panel ids repeat"
    for panel in query_panels():
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]


def test_the_dashboard_shows_every_exported_metric():
    shown = set().union(*(metrics_in(t["expr"]) for p in query_panels() for t in p["targets"]))
    assert shown == EXPORTED


@pytest.mark.parametrize("expr", all_queries())
def test_each_query_balances_and_reads_only_exported_metrics(expr):
    depth = {"(": 0, "{": 0, "[": 0}
    closing = {")": "(", "}": "{", "]": "["}
    for char in re.sub(r'"[^"]*"', '""', expr):  # brackets inside label values do not count
        if char in depth:
            depth[char] += 1
        elif char in closing:
            depth[closing[char]] -= 1
            assert depth[closing[char]] >= 0, f"closes before it opens: {expr}"
    assert set(depth.values()) == {0}, f"unbalanced: {expr}"
    assert metrics_in(expr) <= EXPORTED, expr
    assert metrics_in(expr), f"queries no metric: {expr}"


def test_the_check_itself_catches_a_typo():
    assert metrics_in('rate(storeloop_gateway_request_total{status=~"5.."}[5m])') == {
        "storeloop_gateway_request_total"
    }
    assert metrics_in("storeloop_consumer_lag_events > 1e3") == {"storeloop_consumer_lag_events"}
    with pytest.raises(AssertionError, match="unknown function"):
        metrics_in("histogram_quantil(0.99, x)")
