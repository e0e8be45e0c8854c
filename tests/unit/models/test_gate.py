"""The promotion gate's statistics and its one rule, on per-unit values made up to be noise or a
clear difference."""

from __future__ import annotations

import numpy as np
import pytest

from models.gate import Contender, decide, paired_bootstrap

N = 400


def values(mean: float, seed: int, spread: float = 0.25) -> np.ndarray:
    """Per-shopper NDCG-like values: most zero, a few hits, mean about `mean`."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(mean, spread, size=N), 0.0, None)


def shift(base: np.ndarray, by: float, noise: float, seed: int) -> np.ndarray:
    """The same units, moved by exactly `by` on average plus unit-level noise (paired, like
    two models' values on the same shoppers)."""
    jitter = np.random.default_rng(seed).normal(0.0, noise, size=len(base))
    return base + by + jitter - jitter.mean()


def contender(name, role, data, version=None, kind=None):
    return Contender(name, kind or name, role, np.asarray(data), version)


def test_the_bootstrap_is_seeded_and_brackets_the_mean_difference():
    a, b = values(0.10, 1), values(0.10, 2)
    first, again = paired_bootstrap(a, b, seed=3), paired_bootstrap(a, b, seed=3)
    assert first == again
    assert first.low < first.difference < first.high
    assert first.difference == pytest.approx(float((a - b).mean()))
    assert first.n == N and 0.0 <= first.p_value <= 1.0


def test_a_clear_gain_lies_above_zero_and_noise_straddles_it():
    base = values(0.05, 4)
    clear = paired_bootstrap(shift(base, 0.05, 0.05, 5), base)
    assert clear.beyond_noise and clear.p_value < 0.01
    noise = paired_bootstrap(shift(base, 0.0, 0.2, 6), base)
    assert noise.low < 0.0 < noise.high and not noise.beyond_noise
    assert noise.not_worse and clear.not_worse  # within noise is not behind
    behind = paired_bootstrap(base, shift(base, 0.05, 0.05, 5))
    assert not behind.not_worse and not paired_bootstrap(np.zeros(0), np.zeros(0)).not_worse


def test_unpaired_values_are_refused_and_no_units_is_no_evidence():
    with pytest.raises(ValueError):
        paired_bootstrap(np.zeros(3), np.zeros(4))
    assert not paired_bootstrap(np.zeros(0), np.zeros(0)).beyond_noise


def test_few_units_widen_the_interval_and_many_leave_it_as_the_percentiles():
    """On a handful of held-out searches the sample's own spread understates the noise; the
    interval is widened as Student's t widens a z interval, and the widening fades with n."""
    rng = np.random.default_rng(11)
    few = rng.normal(0.4, 1.0, size=8)
    widened = paired_bootstrap(few, np.zeros(8), seed=1)
    means = few[np.random.default_rng(1).integers(0, 8, size=(2_000, 8))].mean(axis=1)
    plain_low, plain_high = np.quantile(means, [0.025, 0.975])
    assert widened.low < plain_low and widened.high > plain_high
    assert widened.high - widened.low > 1.2 * (plain_high - plain_low)
    many = rng.normal(0.4, 1.0, size=2_000)
    wide = paired_bootstrap(many, np.zeros(2_000), seed=1)
    means = many[np.random.default_rng(1).integers(0, 2_000, size=(2_000, 2_000))].mean(axis=1)
    plain_low, plain_high = np.quantile(means, [0.025, 0.975])
    assert wide.high - wide.low == pytest.approx(plain_high - plain_low, rel=0.01)
    single = paired_bootstrap(np.ones(1), np.zeros(1))
    assert not single.beyond_noise  # one unit has no spread to judge noise by


def test_a_challenger_better_by_noise_is_not_promoted():
    champion = values(0.08, 7)
    challenger = shift(champion, 0.004, 0.2, 8)  # a bare `>` would promote it
    assert challenger.mean() > champion.mean()
    decision = decide(
        "recommender", "ndcg_at_10", "shoppers",
        [contender("sasrec", "challenger", challenger)],
        [contender("item_knn", "baseline", shift(champion, -0.03, 0.01, 9)),
         contender("popularity", "baseline", shift(champion, -0.05, 0.01, 10))],
        contender("champion", "champion", champion, "3", "sasrec"), "popularity",
    )  # fmt: skip
    assert decision.outcome == "keep" and decision.winner is None
    assert decision.incumbent.name == "champion"
    assert "does not beat the incumbent champion v3 (sasrec) by more than noise" in decision.reason
    assert "95% CI [" in decision.reason and "n=400 shoppers" in decision.reason


def test_a_clearly_better_challenger_replaces_the_champion():
    champion = values(0.08, 11)
    decision = decide(
        "recommender", "ndcg_at_10", "shoppers",
        [contender("sasrec", "challenger", shift(champion, 0.04, 0.05, 12))],
        [contender("popularity", "baseline", shift(champion, -0.05, 0.01, 13))],
        contender("champion", "champion", champion, "3"), "popularity",
    )  # fmt: skip
    assert decision.outcome == "promote_challenger" and decision.winner.name == "sasrec"
    assert decision.challenger_test.low > 0
    assert decision.reason.startswith("sasrec beats the incumbent champion by more than noise")


def test_the_incumbent_is_the_best_baseline_not_only_the_champion():
    # Today's run: the network beats the champion but not plain co-occurrence.
    knn = values(0.04, 14)
    decision = decide(
        "recommender", "ndcg_at_10", "shoppers",
        [contender("sasrec", "challenger", shift(knn, -0.01, 0.02, 15))],
        [contender("item_knn", "baseline", knn),
         contender("popularity", "baseline", shift(knn, -0.025, 0.01, 16))],
        contender("champion", "champion", shift(knn, -0.02, 0.01, 17), "1"), "popularity",
    )  # fmt: skip
    assert decision.incumbent.name == "item_knn"
    # The baseline beats the champion by more than noise: it becomes champion.
    assert decision.outcome == "promote_baseline" and decision.winner.name == "item_knn"
    assert decision.test.low > 0
    assert "baseline item_knn beats champion v1" in decision.reason


def test_a_best_baseline_within_noise_of_the_champion_moves_nothing():
    champion = values(0.05, 18)
    decision = decide(
        "search-ranker", "ips_dcg_at_10", "searches",
        [contender("neural", "challenger", shift(champion, -0.02, 0.01, 19))],
        [contender("index", "baseline", shift(champion, 0.005, 0.2, 20))],
        contender("champion", "champion", champion, "2", "neural"), "index",
    )  # fmt: skip
    assert decision.incumbent.name == "index" and decision.outcome == "keep"
    assert "nothing moves" in decision.reason and "n=400 searches" in decision.reason


def test_without_a_champion_the_best_baseline_is_registered_and_a_tie_goes_to_the_fallback():
    popular = values(0.02, 21)
    decision = decide(
        "recommender", "ndcg_at_10", "shoppers",
        [contender("sasrec", "challenger", popular.copy())],
        [contender("item_knn", "baseline", popular.copy()),
         contender("popularity", "baseline", popular)],
        None, "popularity",
    )  # fmt: skip
    assert decision.champion is None and decision.standing.name == "popularity"
    assert decision.incumbent.name == "popularity"  # ties go to what serves now
    # nothing beat it, and what serving shows is no version yet: the incumbent becomes one
    assert decision.outcome == "promote_baseline" and decision.winner.name == "popularity"
    assert "popularity (served without a champion)" in decision.reason
    assert decision.reason.endswith("is registered and served")


def test_the_gate_needs_a_fallback_among_the_baselines():
    with pytest.raises(ValueError):
        decide("m", "x", "u", [contender("a", "challenger", [1.0])],
               [contender("b", "baseline", [1.0])], None, "index")  # fmt: skip
