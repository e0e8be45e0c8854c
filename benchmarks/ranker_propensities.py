"""Checks the ranker's position-bias estimate against the simulator: examination by position as
the randomised swaps measure it (RandPair), as regression-EM and per-pair EM estimate it from the
logs, and as the simulator's cascade (with its satisfied stops) really produces it on the same
held-out lists; k ** -0.8 for reference. Then the cascade the gate weighs clicks with, fitted
on the same logs: its parameters against the simulator's, and each held-out row's chance to be
looked at given what the shopper did above it, against the simulator's own chance for that row
(the same filter with the simulator's parameters and true click probabilities; the
position-only curves, which ignore what happened above, beside it).

Run: `python -m benchmarks.ranker_propensities --data-dir var --replays 50`
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.reports import headline, write_report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="var")
    parser.add_argument("--replays", type=int, default=50, help="cascade replays per list")
    parser.add_argument("--positions", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from benchmarks.ranker_latency import machine
    from features.training_sets import ranking_training_set
    from models.ranker.cascade import fit_cascade
    from models.ranker.catalog import product_titles
    from models.ranker.compare import UNPOSITIONED_NAMES, measured_by_swaps, propensities_of
    from models.ranker.data import search_lists, split_by_day
    from models.ranker.embeddings import TitleEmbeddings
    from models.ranker.judged import HiddenRelevance
    from models.ranker.propensity import estimate
    from simulation.browsing import (
        CLICK_PROBABILITY,
        EXAMINATION_DECAY,
        STOP_AFTER_CART,
        STOP_AFTER_CLICK,
        browse,
    )
    from storeloop.settings import Settings

    started = time.perf_counter()
    settings = Settings(data_dir=Path(args.data_dir))
    train_frame, held_frame = split_by_day(ranking_training_set(settings))
    embeddings = TitleEmbeddings.from_store(settings)
    titles = product_titles(settings)
    train = search_lists(train_frame, titles, embeddings)
    held = search_lists(held_frame, titles, embeddings)
    judge = HiddenRelevance.of(settings, held)
    if judge is None:
        raise SystemExit(f"no simulation truth in {settings.simulation_dir}")
    rng = np.random.default_rng(0)
    examined, replays = np.zeros(held.labels.shape[1]), 0
    for grades, mask in zip(judge.labels, held.mask, strict=True):
        for _ in range(args.replays):
            looks = browse(rng, grades[mask].astype(int).tolist(), [0.0] * int(mask.sum()))
            examined[: len(looks)] += 1
            replays += 1
    k = args.positions
    simulated = examined / examined[0]
    regression, pairs = propensities_of(train), estimate(train_frame)
    curves = {"regression_em": regression, "pair_em": pairs}
    swaps = measured_by_swaps(settings, train_frame)
    if swaps is not None:
        curves["swaps"] = swaps.propensities()
    cascade = fit_cascade(train, UNPOSITIONED_NAMES)
    truth = replace(cascade, eta=EXAMINATION_DECAY, stay_after_click=1 - STOP_AFTER_CLICK,
                    stay_after_cart=1 - STOP_AFTER_CART)  # fmt: skip
    appeal = np.asarray(CLICK_PROBABILITY)[judge.labels.astype(int)]
    conditional = truth.examination(held, appeal=appeal)[held.mask]
    shown = np.clip(held.positions[held.mask].astype(int), 1, 50) - 1
    conditional_error = {
        "cascade_fitted": float(np.abs(cascade.examination(held)[held.mask] - conditional).mean()),
        **{name: float(np.abs(c.examination[shown] - conditional).mean())
           for name, c in curves.items()},
    }  # fmt: skip
    errors = {name: float(np.abs(c.examination[:k] - simulated[:k]).mean())
              for name, c in curves.items()}  # fmt: skip
    power_error = float(np.abs(np.arange(1, k + 1) ** -0.8 - simulated[:k]).mean())
    best = "swaps" if "swaps" in errors else "regression_em"
    report = {
        "machine": machine(),
        "positions": list(range(1, k + 1)),
        "simulator_cascade": simulated[:k].round(3).tolist(),
        **{name: c.examination[:k].round(3).tolist() for name, c in curves.items()},
        "power_law_0.8": (np.arange(1, k + 1) ** -0.8).round(3).tolist(),
        "fitted_eta": {name: c.fitted_eta for name, c in curves.items()},
        "swaps": None if swaps is None else {
            "eta": swaps.eta, "standard_error": swaps.standard_error,
            "swapped_lists": swaps.swapped_lists,
        },
        "mean_abs_error_vs_simulator": {**errors, "power_law_0.8": power_error},
        "cascade": {
            "fitted": {k: v for k, v in cascade.as_dict().items() if k != "relevance"},
            "simulator": {k: v for k, v in truth.as_dict().items() if k != "relevance"},
            "mean_abs_error_vs_simulator_given_outcomes_above": conditional_error,
        },
        "held_out_searches": len(held), "replays": replays,
        "seconds": round(time.perf_counter() - started, 1),
        "headline": headline(
            f"examination by position, mean abs error vs the simulator ({best})", errors[best],
            power_error, reference_name="k ** -0.8",
        ),
    }  # fmt: skip
    print(json.dumps(report, indent=1))
    write_report("ranker_propensities", report)


if __name__ == "__main__":
    main()
