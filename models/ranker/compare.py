"""One held-out comparison: index order, LightGBM lambdarank (propensity-weighted) and our
position-aware net on the same features; DCG@10 of logged behaviour weighted by the cascade's
propensities (the gate), naive NDCG@10, and NDCG@10 on hidden truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.lake import silver_rows
from models.metrics import dcg_per_list, mean_ndcg
from models.ranker.boosted import fit_lambdarank, score_boosted
from models.ranker.cascade import Cascade, fit_cascade
from models.ranker.catalog import product_attributes, product_titles
from models.ranker.data import SearchLists, search_lists, split_by_day
from models.ranker.embeddings import TitleEmbeddings
from models.ranker.features import FEATURES
from models.ranker.judged import HiddenRelevance
from models.ranker.learn import EPOCHS, fit, index_order, score_lists
from models.ranker.propensity import (
    Propensities,
    SwapEstimate,
    by_swaps,
    estimate,
    estimate_by_regression,
)
from storeloop.settings import Settings

# The gate: graded gains of the held-out outcomes over the cascade's examination chances, summed
# as DCG@10 under each ranking of the rows shoppers probably read. Not normalised per search:
# with one click in a list the weight would cancel and only the shown order's bias would be left.
METRIC = "ips_dcg_at_10"
NAIVE = "ndcg_at_10"  # logged labels, position-biased
TRUE = "true_ndcg_at_10"  # the simulator's hidden relevance (evaluation only)
CART_VALUE = "true_cart_value"  # expected cart value per search by the simulator's cascade


@dataclass
class Comparison:
    frame: pd.DataFrame
    held_frame: pd.DataFrame
    train: SearchLists
    held_out: SearchLists
    cascade: Cascade  # how shoppers read the lists, fitted on the training days
    models: dict[str, Any]  # kind -> fitted model
    metrics: dict[str, float]  # "<kind>_<metric>", kind in index, neural, lightgbm
    judge: HiddenRelevance | None
    scores: dict[str, np.ndarray]  # kind -> held-out scores (s, n)
    judged: Judged  # what the gate's per-search values are computed from
    position_bias: np.ndarray  # the net's learned score offset per logged position, 1 at 0


def evaluate(
    scores: np.ndarray, held_out: SearchLists, judge: HiddenRelevance | None, judged: Judged
) -> dict:
    metrics = {
        METRIC: float(per_search(scores, judged).mean()),
        NAIVE: mean_ndcg(held_out.lists(scores)),
    }
    if judge is not None:
        metrics[TRUE] = judge.ndcg(scores)
        metrics[CART_VALUE] = judge.cart_value(scores)
    return metrics


def scores_of(kind: str, model: Any, lists: SearchLists) -> np.ndarray:
    if kind == "lightgbm":
        return score_boosted(model, lists.features, lists.mask)
    return np.where(lists.mask, score_lists(model, lists), -np.inf)


# Relevance in the click models reads every feature but the index score, which in
# index-ordered logs is the position itself.
UNPOSITIONED_NAMES = [name for name in FEATURES if name != "index_score"]
UNPOSITIONED = [FEATURES.index(name) for name in UNPOSITIONED_NAMES]


def propensities_of(train: SearchLists) -> Propensities:
    """Regression-EM on every logged row (position-based model; for comparison)."""
    return estimate_by_regression(
        train.positions[train.mask],
        train.labels[train.mask] >= 1,
        train.features[train.mask][:, UNPOSITIONED],
    )


def compare(
    settings: Settings,
    frame: pd.DataFrame,
    embeddings: TitleEmbeddings,
    *,
    epochs: int = EPOCHS,
    shuffle_labels: bool = False,
) -> Comparison:
    train_frame, held_frame = split_by_day(frame)
    if shuffle_labels:
        train_frame = train_frame.assign(
            label=np.random.default_rng(settings.seed).permutation(train_frame["label"].to_numpy())
        )
    titles, catalog = product_titles(settings), product_attributes(settings)
    embeddings.warm_queries(frame["query"].astype(str).unique().tolist())
    train = search_lists(train_frame, titles, embeddings, catalog)
    held_out = search_lists(held_frame, titles, embeddings, catalog)
    cascade = fit_cascade(train, UNPOSITIONED_NAMES, seed=settings.seed)
    weight = settings.ranker_revenue_weight
    net, position_bias = fit(train, epochs=epochs, seed=settings.seed, revenue_weight=weight)
    lightgbm = fit_lambdarank(train, cascade.inverse(train), settings.seed, weight)
    models = {"neural": net, "lightgbm": lightgbm}
    judge = HiddenRelevance.of(settings, held_out)
    judged = Judged.of(cascade, held_out, weight)
    held_scores = {"index": index_order(held_out)}
    index = evaluate(held_scores["index"], held_out, judge, judged)
    metrics = {f"index_{k}": v for k, v in index.items()}
    for kind, model in models.items():
        scores = held_scores[kind] = scores_of(kind, model, held_out)
        if not np.isfinite(scores[held_out.mask]).all():
            from models.errors import TrainingDataError

            raise TrainingDataError("corrupt_window", f"{kind} scores are not finite")
        found = evaluate(scores, held_out, judge, judged)
        metrics |= {f"{kind}_{k}": v for k, v in found.items()}
    if judge is not None:
        metrics[f"ideal_{CART_VALUE}"] = judge.cart_value(judge.ideal())
    metrics["cascade_eta"] = cascade.eta
    metrics["cascade_stay_after_click"] = cascade.stay_after_click
    metrics["cascade_stay_after_cart"] = cascade.stay_after_cart
    # The position-based estimates, for comparison.
    metrics["propensity_eta_regression_em"] = propensities_of(train).fitted_eta
    metrics["propensity_eta_pair_em"] = estimate(train_frame).fitted_eta
    swaps = measured_by_swaps(settings, train_frame)
    if swaps is not None:
        metrics["propensity_eta_swaps"] = swaps.eta
        metrics["propensity_eta_swaps_se"] = swaps.standard_error
        metrics["propensity_swapped_lists"] = swaps.swapped_lists
    return Comparison(
        frame, held_frame, train, held_out, cascade, models, metrics, judge, held_scores,
        judged, position_bias,
    )  # fmt: skip


@dataclass(frozen=True)
class Judged:
    """The held-out rows shoppers probably read (s, n) and their gains over propensities."""

    read: np.ndarray
    gains: np.ndarray

    @classmethod
    def of(cls, cascade: Cascade, lists: SearchLists, revenue_weight: float = 0.0) -> Judged:
        return cls(cascade.read(lists), cascade.gains(lists, revenue_weight=revenue_weight))


def per_search(scores: np.ndarray, judged: Judged) -> np.ndarray:
    """The gate metric of each held-out search with a clicked result among its read rows: each
    ranker orders the read rows, the rest are not judged."""
    return dcg_per_list(np.where(judged.read, scores, -np.inf), judged.gains, judged.read)


def measured_by_swaps(settings: Settings, frame: pd.DataFrame) -> SwapEstimate | None:
    """The position bias the randomised swaps of `frame`'s searches measure (silver
    search_impressions names them); interleaved searches are never swapped, so they are no
    control either and are left out."""
    swapped: dict[str, int] = {}
    interleaved: set[str] = set()
    columns = ["search_id", "team", "swapped_at"]
    for search_id, team, swapped_at in silver_rows(settings, "search_impressions", columns):
        if team is not None:
            interleaved.add(str(search_id))
        if swapped_at is not None:
            swapped[str(search_id)] = int(swapped_at)
    if not swapped:
        return None
    return by_swaps(frame[~frame["search_id"].astype(str).isin(interleaved)], swapped)
