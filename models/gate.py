"""The promotion gate shared by the ranker and the recommender: a paired bootstrap over per-unit
values (one held-out search, one held-out shopper) and one rule for what becomes champion.

The incumbent is the best thing the store knows on this window: the current champion re-scored
on it, or a baseline fitted on the same training window. A challenger replaces the champion
only when the 95% interval of its gain over the incumbent lies above 0; a baseline that is best
replaces the champion only when it beats the champion by more than noise too; otherwise nothing
moves. A bare `>` on a few hundred shoppers promotes noise about half the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

RESAMPLES = 2_000
CONFIDENCE = 0.95
Role = Literal["challenger", "baseline", "champion"]
Outcome = Literal["promote_challenger", "promote_baseline", "keep"]


@dataclass(frozen=True)
class Paired:
    """`better` against `worse` on the same units: mean gain, its interval and one-sided p."""

    difference: float
    low: float
    high: float
    p_value: float  # share of resamples where the gain is <= 0 (one-sided)
    n: int

    @property
    def beyond_noise(self) -> bool:
        return self.n > 1 and self.low > 0.0

    @property
    def not_worse(self) -> bool:
        """`better` is not behind `worse` by more than noise: the interval reaches above 0."""
        return self.n > 0 and self.high > 0.0


def paired_bootstrap(
    better: np.ndarray,
    worse: np.ndarray,
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
    confidence: float = CONFIDENCE,
) -> Paired:
    """Resamples units (with replacement) and takes the mean of the paired differences; the
    percentile interval and p come from the same resamples. Seeded: the same data, the same
    verdict."""
    a, b = np.asarray(better, dtype=np.float64), np.asarray(worse, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired values differ in shape: {a.shape} vs {b.shape}")
    n = len(a)
    if n == 0:
        return Paired(0.0, 0.0, 0.0, 1.0, 0)
    differences = a - b
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    for start in range(0, resamples, 250):  # chunks bound memory for large windows
        stop = min(resamples, start + 250)
        picks = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = differences[picks].mean(axis=1)
    tail = _expanded_tail(n, confidence)
    low, high = np.quantile(means, [tail, 1.0 - tail])
    p_value = float((means <= 0.0).mean())
    return Paired(float(differences.mean()), float(low), float(high), p_value, n)


def _expanded_tail(n: int, confidence: float) -> float:
    """The percentile interval is too narrow on few units: it knows only the sample's spread,
    not how far that is from the population's. Hesterberg's expanded percentile interval
    ("What teachers should know about the bootstrap", The American Statistician, 2015) widens
    it as Student's t widens a z interval, which matters below a few dozen units and fades
    above. One unit has no spread to widen: its interval is the point."""
    tail = (1.0 - confidence) / 2.0
    if n < 2:
        return tail
    widened = np.sqrt(n / (n - 1)) * stats.t.ppf(1.0 - tail, n - 1)
    return float(stats.norm.cdf(-widened))


@dataclass(frozen=True)
class Contender:
    """One model scored on the held-out units; `version` is its registry version, if any."""

    name: str
    kind: str
    role: Role
    values: np.ndarray
    version: str | None = None

    @property
    def mean(self) -> float:
        return float(np.mean(self.values)) if len(self.values) else 0.0


@dataclass(frozen=True)
class Decision:
    model: str  # registered model name
    metric: str
    unit: str  # what the values are of, plural: "searches", "shoppers"
    outcome: Outcome
    reason: str
    challenger: Contender  # the best challenger
    incumbent: Contender  # the best of champion and baselines
    champion: Contender | None  # the champion re-scored; None: there is none
    standing: Contender  # what serving shows now: the champion, or the fallback baseline
    winner: Contender | None  # what becomes champion; None: nothing moves
    challenger_test: Paired  # the best challenger against the incumbent
    test: Paired  # the comparison the outcome rests on (the one above, or baseline vs champion)
    contenders: tuple[Contender, ...]

    @property
    def values(self) -> dict[str, float]:
        return {c.name: c.mean for c in self.contenders}

    @property
    def worth_trying_online(self) -> bool:
        """Where an online experiment confirms, the offline gate screens: a challenger goes on to
        the experiment unless it is behind the incumbent by more than noise. A day of click logs
        tells a better ranker from the shown order only where shoppers looked, and they look at
        little below an add to cart; an interleaving shows both rankers' results at the top."""
        return self.challenger_test.not_worse


def decide(
    model: str,
    metric: str,
    unit: str,
    challengers: Sequence[Contender],
    baselines: Sequence[Contender],
    champion: Contender | None,
    fallback: str,
    *,
    seed: int = 0,
    resamples: int = RESAMPLES,
) -> Decision:
    """`fallback` names the baseline serving shows without a champion (index order, popularity);
    it stands in for the champion when there is none. Ties go to what serves now."""
    if not challengers or not baselines:
        raise ValueError("the gate needs at least one challenger and one baseline")
    by_name = {b.name: b for b in baselines}
    if fallback not in by_name:
        raise ValueError(f"fallback {fallback!r} is not among the baselines {sorted(by_name)}")
    standing = champion or by_name[fallback]
    challenger = max(challengers, key=lambda c: c.mean)  # first listed wins a tie
    # The standing model first, so a baseline merely equal to it never counts as the incumbent.
    holders = [standing, *[b for b in baselines if b is not standing]]
    incumbent = max(holders, key=lambda c: c.mean)

    def test(a: Contender, b: Contender) -> Paired:
        return paired_bootstrap(a.values, b.values, resamples=resamples, seed=seed)

    against_incumbent = test(challenger, incumbent)
    outcome: Outcome = "keep"
    winner: Contender | None = None
    verdict = against_incumbent
    if against_incumbent.beyond_noise:
        outcome, winner = "promote_challenger", challenger
        reason = (
            f"{challenger.name} beats the incumbent {incumbent.name} by more than noise: "
            f"{_gain(challenger, incumbent, against_incumbent, metric, unit)}"
        )
    elif incumbent is not standing:
        verdict = test(incumbent, standing)
        said = f"{challenger.name} does not beat the incumbent {incumbent.name} by more than noise"
        said += f" ({_gain(challenger, incumbent, against_incumbent, metric, unit)})"
        gain = _gain(incumbent, standing, verdict, metric, unit)
        if verdict.beyond_noise:
            outcome, winner = "promote_baseline", incumbent
            reason = f"{said}; baseline {incumbent.name} beats {_who(standing)} "
            reason += f"by more than noise: {gain}"
        else:
            reason = f"{said}; baseline {incumbent.name} does not beat {_who(standing)} "
            reason += f"by more than noise ({gain})"
    else:
        reason = (
            f"{challenger.name} does not beat the incumbent {_who(incumbent)} by more than noise "
            f"({_gain(challenger, incumbent, against_incumbent, metric, unit)})"
        )
    if winner is None and champion is None:
        # Serving's fallback is no registered version and was never measured as served; the best
        # baseline of this window is, so it is registered and served from now on.
        outcome, winner = "promote_baseline", incumbent
        reason += f"; no version is champion yet: {incumbent.name}, the best on this window, "
        reason += "is registered and served"
    elif winner is None:
        reason += "; nothing moves"
    return Decision(
        model, metric, unit, outcome, reason, challenger, incumbent, champion, standing, winner,
        against_incumbent, verdict, (*challengers, *baselines, *([champion] if champion else [])),
    )  # fmt: skip


def _who(contender: Contender) -> str:
    if contender.role == "champion":
        return f"champion v{contender.version} ({contender.kind})"
    return f"{contender.name} (served without a champion)"


def _gain(a: Contender, b: Contender, paired: Paired, metric: str, unit: str) -> str:
    return (
        f"{metric} {a.mean:.4f} vs {b.mean:.4f}, difference {paired.difference:+.4f}, "
        f"95% CI [{paired.low:+.4f}, {paired.high:+.4f}], p={paired.p_value:.4f}, "
        f"n={paired.n} {unit}"
    )
