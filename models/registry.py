"""Carries out a gate decision in the MLflow registry and says why, three times: version tags,
the training run's metrics and tags, and one JSON line in `reports/decisions.jsonl`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from models.errors import TrainingDataError
from models.gate import Contender, Decision
from storeloop.settings import Settings

CHAMPION = "champion"
CHALLENGER = "challenger"
KIND_TAG = "model.kind"
OFFLINE_GATE_TAG = "gate.offline"  # passed | failed: a challenger's offline verdict
DECISIONS_FILE = "decisions.jsonl"


def champion_version(client: MlflowClient, name: str) -> str | None:
    return alias_version(client, name, CHAMPION)


def alias_version(client: MlflowClient, name: str, alias: str) -> str | None:
    try:
        return str(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def next_champion(decision: Decision, *, confirm_online: bool = False) -> Contender | None:
    """What becomes champion this round. With `confirm_online` a challenger that wins offline is
    interleaved first against what serves; where no version serves yet, the best baseline of the
    window is registered and served meanwhile, so the first net faces an interleaving too
    rather than being promoted on a day of logs alone."""
    if confirm_online and decision.outcome == "promote_challenger":
        return decision.incumbent if decision.champion is None else None
    return decision.winner


def apply_decision(
    settings: Settings,
    client: MlflowClient,
    decision: Decision,
    *,
    run_id: str,
    versions: dict[str, str],
    confirm_online: bool = False,
) -> dict[str, Any]:
    """`versions` maps contender names to the versions registered this round (the challenger's,
    a winning baseline's). Moves `champion` to the winner (if any) and `challenger` to a losing
    challenger; returns the decision record that was appended to the decisions file.

    With `confirm_online` a challenger that wins offline is not promoted yet: it becomes the
    `challenger`, tagged as having passed the offline gate, and an online experiment decides
    (models.ranker.experiment); `next_champion` says what serves meanwhile. So does one that is
    merely not behind the incumbent by more than noise (`Decision.worth_trying_online`)."""
    before = champion_version(client, decision.model)
    after = before
    challenger = versions.get(decision.challenger.name)
    pending = confirm_online and decision.outcome == "promote_challenger"
    chosen = next_champion(decision, confirm_online=confirm_online)
    if chosen is not None:
        after = versions[chosen.name]
        client.set_registered_model_alias(decision.model, CHAMPION, after)
    # A challenger that holds its own offline goes online too; only a win there promotes it.
    screened = (
        confirm_online and not pending and challenger not in (None, after)
        and decision.worth_trying_online
    )  # fmt: skip
    if challenger is not None and challenger != after:
        client.set_registered_model_alias(decision.model, CHALLENGER, challenger)
        passed = "passed" if decision.outcome == "promote_challenger" or screened else "failed"
        client.set_model_version_tag(decision.model, challenger, OFFLINE_GATE_TAG, passed)
    record = decision_record(decision, before, after, run_id, versions)
    if pending:
        record["online"] = "pending"
        record["reason"] += (
            "; it is interleaved with the champion first, and promoted only if it wins there"
        )
        if before is None:
            record["reason"] += f" ({decision.incumbent.name} serves meanwhile)"
    elif screened:
        record["online"] = "pending"
        record["reason"] += (
            f"; offline {decision.challenger.name} is not behind {decision.incumbent.name} by "
            "more than noise, so it is interleaved with the champion and promoted only if it "
            "wins there"
        )
    for version in versions.values():
        verdict = "champion" if version == after else "rejected"
        if (pending or screened) and version == challenger:
            verdict = "awaiting_experiment"
        tags = {"promotion.decision": verdict, **_promotion_tags(record)}
        for key, tag in tags.items():
            client.set_model_version_tag(decision.model, version, key, tag)
    test = decision.challenger_test
    client.log_metric(run_id, "gate.difference", test.difference)
    client.log_metric(run_id, "gate.ci_low", test.low)
    client.log_metric(run_id, "gate.ci_high", test.high)
    client.log_metric(run_id, "gate.p_value", test.p_value)
    client.log_metric(run_id, "gate.n", test.n)
    for name, mean in decision.values.items():
        client.log_metric(run_id, f"gate.value.{name}", mean)
    client.log_param(run_id, "gate.challenger", decision.challenger.name)
    client.log_param(run_id, "gate.incumbent", decision.incumbent.name)
    client.log_param(run_id, "gate.outcome", decision.outcome)
    client.set_tag(run_id, "gate.reason", decision.reason)
    client.set_tag(run_id, "gate.champion_after", after or "")
    append_decision(settings, record)
    return record


def decision_record(
    decision: Decision,
    before: str | None,
    after: str | None,
    run_id: str,
    versions: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the launcher's table and the decisions file show, JSON-ready; `versions` names the
    versions registered this round (contenders scored before registration have none)."""
    test = decision.challenger_test
    registered = versions or {}

    def _contender(contender: Contender) -> dict[str, Any]:
        return {
            "name": contender.name,
            "kind": contender.kind,
            "role": contender.role,
            "value": contender.mean,
            "version": contender.version or registered.get(contender.name),
        }

    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": decision.model,
        "metric": decision.metric,
        "unit": decision.unit,
        "n": test.n,
        "challenger": _contender(decision.challenger),
        "incumbent": _contender(decision.incumbent),
        "champion_before": before,
        "champion_value": decision.champion.mean if decision.champion else None,
        "values": decision.values,
        "difference": test.difference,
        "ci_low": test.low,
        "ci_high": test.high,
        "p_value": test.p_value,
        "decision": decision.outcome,
        "winner": _contender(decision.winner) if decision.winner else None,
        "reason": decision.reason,
        "champion_after": after,
        "run_id": run_id,
    }


def append_decision(settings: Settings, record: dict[str, Any]) -> None:
    path = settings.reports_dir / DECISIONS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write of one line: readers never see half a decision.
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, sort_keys=True) + "\n")


def read_decisions(settings: Settings) -> list[dict[str, Any]]:
    path = settings.reports_dir / DECISIONS_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _promotion_tags(record: dict[str, Any]) -> dict[str, str]:
    return {
        "promotion.outcome": record["decision"],
        "promotion.reason": record["reason"][:5000],
        "promotion.metric": record["metric"],
        "promotion.incumbent": record["incumbent"]["name"],
        "promotion.incumbent_value": f"{record['incumbent']['value']:.6f}",
        "promotion.challenger_value": f"{record['challenger']['value']:.6f}",
        "promotion.ci": f"[{record['ci_low']:.6f}, {record['ci_high']:.6f}]",
        "promotion.p_value": f"{record['p_value']:.4f}",
        "promotion.n": str(record["n"]),
    }


def ensure_new_round(client: MlflowClient, name: str, window_end: str) -> None:
    """An empty round (no data after the window the champion learnt from) stops training before
    anything is fitted or registered: there is nothing new to learn, and deciding again on the
    same held-out data would only repeat the last decision as if it were new evidence."""
    version = champion_version(client, name)
    if version is None or not window_end:
        return
    seen = client.get_model_version(name, version).tags.get("data.window_end", "")
    if seen and pd.Timestamp(window_end) <= pd.Timestamp(seen):
        raise TrainingDataError(
            "empty_round",
            f"no {name} data after {seen}, the end of the window champion v{version} learnt "
            f"from: nothing to train on, the champion stays",
        )
