"""The store's trade-off between relevance and revenue in search, by the simulator's hidden
truth: for rankers trained with each revenue weight (models.ranker.worth; 0 is relevance alone),
the expected value put in the cart per search (the simulator's cascade summed exactly), true
NDCG@10 and the share of the headroom between index order and the ideal order they close; beside
them index order (the reference, on the same searches), LightGBM as the gate trains it, and two
yardsticks no model can see (the ideal order by relevance, and by each row's true expected value).

Run on a finished `make up-once`: `python -m benchmarks.ranker_value --data-dir var`
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from benchmarks.reports import headline, write_report

WEIGHTS = (0.0, 2.0, 4.0, 6.0, 8.0, 12.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="var")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from benchmarks.measure import machine
    from features.training_sets import ranking_training_set
    from models.ranker.compare import compare, scores_of
    from models.ranker.embeddings import TitleEmbeddings
    from models.ranker.learn import EPOCHS, fit
    from storeloop.settings import Settings

    started = time.perf_counter()
    settings = Settings(data_dir=Path(args.data_dir))
    # The gate's own comparison: the same lists, index order and LightGBM.
    comparison = compare(
        settings, ranking_training_set(settings), TitleEmbeddings.from_store(settings)
    )
    judge, train, held = comparison.judge, comparison.train, comparison.held_out
    if judge is None:
        raise SystemExit(f"no simulation truth in {settings.simulation_dir}")
    orders = {"index order": comparison.scores["index"]}
    for weight in WEIGHTS:
        print(f"training the ranker at revenue weight {weight:g}", flush=True)
        net, _ = fit(train, epochs=EPOCHS, seed=settings.seed, revenue_weight=weight)
        orders[f"ranker, revenue weight {weight:g}"] = scores_of("neural", net, held)
    orders[f"lightgbm, revenue weight {settings.ranker_revenue_weight:g}"] = comparison.scores[
        "lightgbm"
    ]
    orders["yardstick: ideal by relevance"] = judge.ideal()
    orders["yardstick: ideal by true expected value"] = np.where(
        held.mask, judge.expected_value(), -np.inf
    )
    index = orders["index order"]
    index_value, index_ndcg = judge.cart_value(index), judge.ndcg(index)
    figures = {}
    for name, scores in orders.items():
        value, ndcg = judge.cart_value(scores), judge.ndcg(scores)
        figures[name] = {
            "cart_value_per_search": round(value, 2),
            "vs_index_order": round(value / index_value - 1, 3),
            "true_ndcg_at_10": round(ndcg, 4),
            "headroom_closed": round((ndcg - index_ndcg) / (1 - index_ndcg), 3),
        }
    # the trained weight nearest the store's (STORE_RANKER_REVENUE_WEIGHT)
    weight = min(WEIGHTS, key=lambda w: abs(w - settings.ranker_revenue_weight))
    served = figures[f"ranker, revenue weight {weight:g}"]
    report = {
        "machine": machine(), "held_out_searches": len(held), "orders": figures,
        "seconds": round(time.perf_counter() - started, 1),
        "headline": headline(
            f"cart value per search, ranker at revenue weight {weight:g}",
            served["cart_value_per_search"], figures["index order"]["cart_value_per_search"],
            reference_name="index order, same searches",
        ),
    }  # fmt: skip
    print(json.dumps(report, indent=1))
    write_report("ranker_value", report)


if __name__ == "__main__":
    main()
