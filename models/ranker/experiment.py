"""Ends the search ranker's online experiment: the `challenger` was interleaved with the champion
for a round; its clicks decide. It is promoted only when it passed the offline gate first and
wins the interleaving significantly; a loss, or too little traffic to tell ("inconclusive"),
promotes nothing. Either way the experiment ends: the alias is removed (this round's training
names the next challenger), the figures go to the challenger's MLflow run and version, and the
decision to the decisions file with its reason.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from mlflow import MlflowClient

from models.interleaving import Interleaving, measure
from models.ranker.predict import MODEL_NAME
from models.registry import (
    CHALLENGER,
    CHAMPION,
    OFFLINE_GATE_TAG,
    alias_version,
    append_decision,
    champion_version,
)
from storeloop.settings import Settings

log = logging.getLogger(__name__)
INDEX_ORDER = "index"  # what serving names its order when there is no champion


def conclude_interleaving(settings: Settings, client: MlflowClient) -> dict[str, Any] | None:
    """The experiment's decision record, or None when no challenger was under experiment."""
    challenger = alias_version(client, MODEL_NAME, CHALLENGER)
    if challenger is None:
        return None
    before = champion_version(client, MODEL_NAME)
    result = measure(settings, before or INDEX_ORDER, challenger)
    version = client.get_model_version(MODEL_NAME, challenger)
    offline_passed = (version.tags or {}).get(OFFLINE_GATE_TAG) == "passed"
    promote = offline_passed and result.verdict == "win"
    after = challenger if promote else before
    if promote:
        client.set_registered_model_alias(MODEL_NAME, CHAMPION, challenger)
    client.delete_registered_model_alias(MODEL_NAME, CHALLENGER)
    reason = f"{result.summary()}: {_consequence(result, offline_passed)}"
    _log(client, version.run_id, challenger, result, promote, reason)
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": MODEL_NAME,
        "stage": "online",
        "experiment": "interleaving",
        **result.as_dict(),
        "offline_gate": "passed" if offline_passed else "failed",
        "decision": "promote_challenger" if promote else "keep",
        "reason": reason,
        "champion_before": before,
        "champion_after": after,
    }
    append_decision(settings, record)
    log.info("ranker experiment: %s", reason)
    return record


def _consequence(result: Interleaving, offline_passed: bool) -> str:
    if result.verdict == "win":
        if offline_passed:
            return "promoted"
        return "not promoted: it did not pass the offline gate first"
    if result.verdict == "loss":
        return "not promoted"
    return "too little evidence to tell, nothing promoted"


def _log(
    client: MlflowClient,
    run_id: str | None,
    version: str,
    result: Interleaving,
    promoted: bool,
    reason: str,
) -> None:
    figures = {
        "searches": result.searches, "wins": result.wins, "losses": result.losses,
        "ties": result.ties, "p_value": result.p_value,
        "challenger_clicks": result.challenger_clicks, "champion_clicks": result.champion_clicks,
        "challenger_orders": result.challenger_orders, "champion_orders": result.champion_orders,
        "challenger_value": result.challenger_value, "champion_value": result.champion_value,
    }  # fmt: skip
    if run_id:
        for name, value in figures.items():
            client.log_metric(run_id, f"interleaving.{name}", float(value))
        client.set_tag(run_id, "interleaving.verdict", result.verdict)
        client.set_tag(run_id, "interleaving.champion", result.champion)
    tags = {
        "experiment.verdict": result.verdict,
        "experiment.reason": reason[:5000],
        "promotion.decision": "champion" if promoted else "rejected",
    }
    for key, tag in tags.items():
        client.set_model_version_tag(MODEL_NAME, version, key, tag)
