"""The promotion gate: a version becomes `champion` only if it wins on the same held-out data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

CHAMPION = "champion"
CHALLENGER = "challenger"


@dataclass(frozen=True)
class Promotion:
    promoted: bool
    reason: str
    champion_version: str | None
    champion_value: float | None


def champion_version(client: MlflowClient, name: str) -> str | None:
    try:
        return str(client.get_model_version_by_alias(name, CHAMPION).version)
    except MlflowException:
        return None


def promote_if_better(
    client: MlflowClient,
    name: str,
    version: str,
    metric: str,
    new_value: float,
    champion_value_fn: Callable[[str], float],
    incumbent_value: float | None = None,
) -> Promotion:
    """Moves `champion` to `version` when there is none or `new_value` beats the champion's value.

    `champion_value_fn(champion_version)` re-scores the champion on the challenger's held-out
    window, so both numbers come from the same data (a logged metric may be from another week).
    `incumbent_value` is the value to beat when there is no champion (e.g. the popularity
    fallback that serving shows without a model); None lets the first version through.
    """
    current = champion_version(client, name)
    if current is None:
        decision = _first_version(metric, new_value, incumbent_value)
    elif current == str(version):
        decision = Promotion(True, "already champion", current, new_value)
    else:
        old_value = float(champion_value_fn(current))
        if new_value > old_value:
            reason = f"{metric} {new_value:.4f} beats champion v{current} {old_value:.4f}"
            decision = Promotion(True, reason, current, old_value)
        else:
            reason = f"{metric} {new_value:.4f} does not beat champion v{current} {old_value:.4f}"
            decision = Promotion(False, reason, current, old_value)
    if decision.promoted:
        client.set_registered_model_alias(name, CHAMPION, str(version))
    else:
        client.set_registered_model_alias(name, CHALLENGER, str(version))
    client.set_model_version_tag(
        name, str(version), "promotion.decision", "champion" if decision.promoted else "rejected"
    )
    client.set_model_version_tag(name, str(version), "promotion.reason", decision.reason)
    client.set_model_version_tag(name, str(version), "promotion.metric", metric)
    if decision.champion_value is not None:
        client.set_model_version_tag(
            name, str(version), "promotion.champion_value", f"{decision.champion_value:.6f}"
        )
    return decision


def _first_version(metric: str, new_value: float, incumbent_value: float | None) -> Promotion:
    """No champion yet: the version must beat what serving shows without a model, if given."""
    if incumbent_value is None:
        return Promotion(True, "no champion yet", None, None)
    verdict = "beats" if new_value > incumbent_value else "does not beat"
    reason = f"{metric} {new_value:.4f} {verdict} the baseline {incumbent_value:.4f}"
    return Promotion(new_value > incumbent_value, reason, None, incumbent_value)
