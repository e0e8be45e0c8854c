"""One held-out comparison: index order, LightGBM lambdarank (propensity-weighted) and our
position-aware net on the same features; NDCG@10 vs logged behaviour (IPS) and hidden truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.lake import silver_rows
from models.metrics import PROPENSITY_ETA, ips_ndcg_per_list, mean_ips_ndcg, mean_ndcg
from models.ranker.boosted import fit_lambdarank, score_boosted
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

METRIC = "ips_ndcg_at_10"  # the gate; the others are for information
NAIVE = "ndcg_at_10"  # logged labels, position-biased
TRUE = "true_ndcg_at_10"  # the simulator's hidden relevance (evaluation only)
# Swaps measure the position bias once the estimate is this precise; until then the gate keeps
# the prior (metrics.PROPENSITY_ETA) and LightGBM's weights come from regression-EM.
MAX_SWAP_ERROR = 0.15


@dataclass
class Comparison:
    frame: pd.DataFrame
    held_frame: pd.DataFrame
    train: SearchLists
    held_out: SearchLists
    propensities: Propensities
    models: dict[str, Any]  # kind -> fitted model
    metrics: dict[str, float]  # "<kind>_<metric>", kind in index, neural, lightgbm
    judge: HiddenRelevance | None
    scores: dict[str, np.ndarray]  # kind -> held-out scores (s, n): the gate's per-search values
    gate_eta: float  # the examination exponent the gate metric weighs clicks with
    position_bias: np.ndarray  # the net's learned score offset per logged position, 1 at 0


def evaluate(
    scores: np.ndarray,
    held_out: SearchLists,
    judge: HiddenRelevance | None,
    eta: float = PROPENSITY_ETA,
) -> dict:
    metrics = {
        METRIC: mean_ips_ndcg(held_out.logged_lists(scores), eta=eta),
        NAIVE: mean_ndcg(held_out.lists(scores)),
    }
    if judge is not None:
        metrics[TRUE] = judge.ndcg(scores)
    return metrics


def scores_of(kind: str, model: Any, lists: SearchLists) -> np.ndarray:
    if kind == "lightgbm":
        return score_boosted(model, lists.features, lists.mask)
    return np.where(lists.mask, score_lists(model, lists), -np.inf)


def propensities_of(train: SearchLists) -> Propensities:
    """Regression-EM on every logged row; relevance reads every feature but the index score,
    which in index-ordered logs is the position itself."""
    keep = [i for i, name in enumerate(FEATURES) if name != "index_score"]
    return estimate_by_regression(
        train.positions[train.mask],
        train.labels[train.mask] >= 1,
        train.features[train.mask][:, keep],
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
    swaps = measured_by_swaps(settings, train_frame)
    if swaps is not None and swaps.standard_error <= MAX_SWAP_ERROR:
        propensities, gate_eta = swaps.propensities(), swaps.eta
    else:
        propensities, gate_eta = propensities_of(train), PROPENSITY_ETA
    ipw = propensities.inverse(train.positions)
    net, position_bias = fit(train, epochs=epochs, seed=settings.seed)
    models = {"neural": net, "lightgbm": fit_lambdarank(train, ipw, seed=settings.seed)}
    judge = HiddenRelevance.of(settings, held_out)
    held_scores = {"index": index_order(held_out)}
    index = evaluate(held_scores["index"], held_out, judge, gate_eta)
    metrics = {f"index_{k}": v for k, v in index.items()}
    for kind, model in models.items():
        scores = held_scores[kind] = scores_of(kind, model, held_out)
        if not np.isfinite(scores[held_out.mask]).all():
            from models.errors import TrainingDataError

            raise TrainingDataError("corrupt_window", f"{kind} scores are not finite")
        found = evaluate(scores, held_out, judge, gate_eta)
        metrics |= {f"{kind}_{k}": v for k, v in found.items()}
    metrics["propensity_eta_fitted"] = propensities.fitted_eta
    metrics["propensity_eta_pair_em"] = estimate(train_frame).fitted_eta  # for comparison
    metrics["propensity_eta_gate"] = gate_eta
    if swaps is not None:
        metrics["propensity_eta_swaps"] = swaps.eta
        metrics["propensity_eta_swaps_se"] = swaps.standard_error
        metrics["propensity_swapped_lists"] = swaps.swapped_lists
    return Comparison(
        frame, held_frame, train, held_out, propensities, models, metrics, judge, held_scores,
        gate_eta, position_bias,
    )  # fmt: skip


def per_search(scores: np.ndarray, held_out: SearchLists, eta: float) -> np.ndarray:
    """The gate metric of each held-out search that has a clicked result."""
    return ips_ndcg_per_list(held_out.logged_lists(scores), eta=eta)


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
