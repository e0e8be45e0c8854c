"""What each order of the held-out searches is worth to the store, by the simulator's hidden
truth: the expected value put in the cart per search (the simulator's cascade summed exactly) and
true NDCG@10, for index order, the ranker as trained, rankers that also weigh the price, and two
yardsticks no model can see (the ideal order by relevance, and by each row's true expected
value). The reference is index order, measured on the same searches.

The price-aware rows are the first steps towards ranking by expected revenue (the chance of a
purchase times the price; Wu et al., SIGIR 2018), each trained from the logs alone:

- value: the net regressed on price x added-to-cart (relative to the mean price shown);
- graded + value: the graded outcome plus three times that (relevance and value together);
- appeal x price: the cascade's click appeal (the gate's click model) times the price.

Run on a finished `make up-once`: `python -m benchmarks.ranker_value --data-dir var`
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="var")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from benchmarks.measure import machine
    from features.training_sets import ranking_training_set
    from models.ranker.compare import compare, scores_of
    from models.ranker.data import SearchLists
    from models.ranker.embeddings import TitleEmbeddings
    from models.ranker.features import FEATURES
    from models.ranker.learn import EPOCHS, fit
    from storeloop.settings import Settings

    started = time.perf_counter()
    settings = Settings(data_dir=Path(args.data_dir))
    # The gate's own comparison: the same lists, the ranker as trained and the cascade.
    comparison = compare(
        settings, ranking_training_set(settings), TitleEmbeddings.from_store(settings)
    )
    judge, train, held = comparison.judge, comparison.train, comparison.held_out
    if judge is None:
        raise SystemExit(f"no simulation truth in {settings.simulation_dir}")

    def trained(labels: np.ndarray) -> np.ndarray:
        lists: SearchLists = replace(train, labels=labels.astype(np.float32))
        net, _ = fit(lists, epochs=EPOCHS, seed=settings.seed)
        return scores_of("neural", net, held)

    price = FEATURES.index("price")
    carted = train.labels >= 2
    value = carted * train.features[..., price] / train.features[..., price][train.mask].mean()
    appeal = comparison.cascade.relevance.of(held, FEATURES)
    orders = {
        "index order": comparison.scores["index"],
        "ranker (graded outcome)": comparison.scores["neural"],
        "value (price x cart)": trained(value),
        "graded + value": trained(train.labels + 3 * value),
        "appeal x price": np.where(held.mask, appeal * held.features[..., price], -np.inf),
        "yardstick: ideal by relevance": judge.ideal(),
        "yardstick: ideal by true expected value": np.where(
            held.mask, judge.expected_value(), -np.inf
        ),
    }
    values = {name: judge.cart_value(scores) for name, scores in orders.items()}
    figures = {
        name: {
            "cart_value_per_search": round(values[name], 2),
            "vs_index_order": round(values[name] / values["index order"] - 1, 3),
            "true_ndcg_at_10": round(judge.ndcg(scores), 4),
        }
        for name, scores in orders.items()
    }
    print(json.dumps({
        "machine": machine(), "held_out_searches": len(held), "orders": figures,
        "seconds": round(time.perf_counter() - started, 1),
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
