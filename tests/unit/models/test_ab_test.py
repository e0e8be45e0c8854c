"""The A/B comparison: ratios of sums per arm, a bootstrap interval over shoppers that excludes
zero for a clear effect and holds it for none."""

import numpy as np

from models.ab_test import CONTROL, MODELS, compare


def _shoppers(n: int, revenue_mean: dict[str, float], seed: int = 1):
    rng = np.random.default_rng(seed)
    arms, figures = {}, {}
    for i in range(n):
        arm = CONTROL if i % 2 else MODELS
        arms[f"c-{i}"] = arm
        figures[f"c-{i}"] = {
            "revenue_per_shopper": (float(rng.exponential(revenue_mean[arm])), 1.0),
            "search_ctr_at_10": (float(rng.integers(0, 3)), 2.0),
        }
    return arms, figures


def _by_metric(comparisons):
    return {c.metric: c for c in comparisons}


def test_a_clear_gain_is_beyond_noise_and_its_lift_is_reported():
    arms, figures = _shoppers(2000, {CONTROL: 50.0, MODELS: 60.0})
    revenue = _by_metric(compare(arms, figures, seed=3))["revenue_per_shopper"]
    assert 45 < revenue.control < 55 and 55 < revenue.models < 65
    assert revenue.beyond_noise and revenue.low > 0 and revenue.low < revenue.difference
    assert revenue.lift == revenue.difference / revenue.control


def test_no_effect_leaves_zero_inside_the_interval():
    arms, figures = _shoppers(2000, {CONTROL: 50.0, MODELS: 50.0})
    found = _by_metric(compare(arms, figures, seed=3))
    for metric in ("revenue_per_shopper", "search_ctr_at_10"):
        assert found[metric].low < 0 < found[metric].high, found[metric]
        assert not found[metric].beyond_noise


def test_a_ratio_is_of_sums_and_a_metric_nobody_had_reads_zero():
    arms = {"a": MODELS, "b": MODELS, "c": CONTROL}
    figures = {"a": {"search_ctr_at_10": (3.0, 1.0)}, "b": {"search_ctr_at_10": (0.0, 3.0)},
               "c": {"search_ctr_at_10": (1.0, 2.0)}}  # fmt: skip
    found = _by_metric(compare(arms, figures))
    assert found["search_ctr_at_10"].models == 3.0 / 4.0
    assert found["search_ctr_at_10"].control == 0.5
    assert found["recommendation_ctr_at_10"].models == 0.0


def test_cuped_narrows_the_interval_when_the_past_predicts_the_present():
    from models.ab_test import CUPED, _cuped

    rng = np.random.default_rng(5)
    arms, figures, earlier = {}, {}, []
    for i in range(1000):
        shopper, arm = f"c-{i}", (CONTROL if i % 2 else MODELS)
        habit = float(rng.exponential(50.0))  # what this shopper spends, round after round
        earlier.append((shopper, "paid", habit))
        now = habit + (5.0 if arm == MODELS else 0.0) + float(rng.normal(0, 5))
        arms[shopper], figures[shopper] = arm, {"revenue_per_shopper": (now, 1.0)}
    assert _cuped(figures, earlier)
    found = _by_metric(compare(arms, figures, seed=2, metrics=("revenue_per_shopper", CUPED)))
    raw, adjusted = found["revenue_per_shopper"], found[CUPED]
    assert adjusted.high - adjusted.low < (raw.high - raw.low) / 3
    assert adjusted.low > 0 and 3.0 < adjusted.difference < 7.0
    assert not _cuped({"c-1": {"revenue_per_shopper": (1.0, 1.0)}}, [])  # no past: no CUPED
