"""One held-out comparison: index order, LightGBM lambdarank (propensity-weighted) and our
position-aware net on the same features; NDCG@10 vs logged behaviour (IPS) and hidden truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.metrics import ips_ndcg_per_list, mean_ips_ndcg, mean_ndcg
from models.ranker.boosted import fit_lambdarank, score_boosted
from models.ranker.catalog import product_attributes, product_titles
from models.ranker.data import SearchLists, search_lists, split_by_day
from models.ranker.embeddings import TitleEmbeddings
from models.ranker.features import FEATURES
from models.ranker.judged import HiddenRelevance
from models.ranker.learn import EPOCHS, fit, index_order, score_lists
from models.ranker.propensity import Propensities, estimate, estimate_by_regression
from storeloop.settings import Settings

METRIC = "ips_ndcg_at_10"  # the gate; the others are for information
NAIVE = "ndcg_at_10"  # logged labels, position-biased
TRUE = "true_ndcg_at_10"  # the simulator's hidden relevance (evaluation only)


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
    position_bias: np.ndarray  # the net's learned score offset per logged position, 1 at 0


def evaluate(scores: np.ndarray, held_out: SearchLists, judge: HiddenRelevance | None) -> dict:
    metrics = {
        METRIC: mean_ips_ndcg(held_out.logged_lists(scores)),
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
    propensities = propensities_of(train)
    ipw = propensities.inverse(train.positions)
    net, position_bias = fit(train, epochs=epochs, seed=settings.seed)
    models = {"neural": net, "lightgbm": fit_lambdarank(train, ipw, seed=settings.seed)}
    judge = HiddenRelevance.of(settings, held_out)
    held_scores = {"index": index_order(held_out)}
    metrics = {f"index_{k}": v for k, v in evaluate(held_scores["index"], held_out, judge).items()}
    for kind, model in models.items():
        scores = held_scores[kind] = scores_of(kind, model, held_out)
        if not np.isfinite(scores[held_out.mask]).all():
            from models.errors import TrainingDataError

            raise TrainingDataError("corrupt_window", f"{kind} scores are not finite")
        metrics |= {f"{kind}_{k}": v for k, v in evaluate(scores, held_out, judge).items()}
    metrics["propensity_eta_fitted"] = propensities.fitted_eta
    metrics["propensity_eta_pair_em"] = estimate(train_frame).fitted_eta  # for comparison
    return Comparison(
        frame, held_frame, train, held_out, propensities, models, metrics, judge, held_scores,
        position_bias,
    )  # fmt: skip


def per_search(scores: np.ndarray, held_out: SearchLists) -> np.ndarray:
    """The gate metric of each held-out search that has a clicked result."""
    return ips_ndcg_per_list(held_out.logged_lists(scores))
