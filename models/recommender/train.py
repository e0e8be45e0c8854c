"""Trains the next-item recommender on distinct-product sequences, compares it with popularity and
co-occurrence on each customer's last new product, logs to MLflow and gates promotion.
Run: `python -m models.recommender.train`."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from features.training_sets import interaction_training_set
from models.errors import training_set
from models.recommender.also_bought import also_bought
from models.recommender.baselines import ItemKNN
from models.recommender.blend import choose_weight
from models.recommender.data import (
    Sequences,
    catalog_categories,
    interaction_sequences,
    popularity,
)
from models.recommender.evaluate import baseline_metrics, evaluate, model_rankings
from models.recommender.fit import fit_sasrec
from models.recommender.model import SCHEMA, RecommenderNet
from models.recommender.sasrec import SASRecConfig
from models.recommender.sequence_file import leave_one_out
from models.registry import promote_if_better
from models.tracking import RECOMMENDER_EXPERIMENT, use_experiment
from storeloop.settings import Settings

log = logging.getLogger(__name__)
MODEL_NAME = "recommender"
METRIC = "ndcg_at_10"
MAX_LEN = 50
BATCH = 128
LR = 0.002
MAX_MINUTES = 5.0  # the nightly loop's budget for this task


def fit(sequences: Sequences, epochs: int, seed: int) -> RecommenderNet:
    """The benchmark's SASRec and training loop on the store's products (every product in
    `sequences.categories` and every product touched), early-stopped on each customer's
    second-to-last new product; carries the full histories and also-bought for serving."""
    products = sorted(
        set(sequences.categories) | {p for items in sequences.full.values() for p in items}
    )
    # A few hundred shoppers still need several optimiser steps per epoch to learn anything.
    config = replace(
        SASRecConfig(),
        max_epochs=epochs,
        max_len=MAX_LEN,
        batch_size=min(BATCH, max(4, len(sequences.full) // 8)),
        lr=LR,
        max_minutes=MAX_MINUTES,
        seed=seed,
    )
    net = RecommenderNet(products, popularity(sequences.train), sequences.categories, config)
    split = leave_one_out([net.encode(items) for items in sequences.full.values()])
    if epochs > 0:
        net.sasrec, report = fit_sasrec(
            split.train,
            split.validation,
            len(products),
            config,
            groups=net.shelves,
        )
        log.info("recommender: best epoch %d of %d", report.best_epoch, report.epochs)
        # As in the benchmark: the kNN share chosen on the validation products, the neighbours
        # from everything but each customer's held-out product (the evaluated model is served).
        net.knn_weight, _ = choose_weight(
            net.network_scores, ItemKNN(split.train, len(products)), split.validation
        )
        net.knn = ItemKNN([net.encode(items) for items in sequences.train.values()], len(products))
        log.info("recommender: item-kNN weight %.2f", net.knn_weight)
    net.eval()
    net.histories = {c: items[-MAX_LEN:] for c, items in sequences.full.items()}
    net.purchased = {c: set(items) for c, items in sequences.purchased.items()}
    net.also_bought = also_bought(sequences.purchased, sequences.full)
    return net


def train_recommender(settings: Settings, *, epochs: int = 80) -> dict:
    """Trains on everything but each customer's last new product, evaluates on those, registers."""
    frame = training_set(interaction_training_set, settings)
    sequences = interaction_sequences(frame, catalog_categories(settings))
    cases = sequences.held_out
    net = fit(sequences, epochs=epochs, seed=settings.seed)
    baselines = baseline_metrics(sequences.train, list(net.popularity), cases)
    metrics = evaluate(model_rankings(net, cases), cases)
    window = {
        "data.window_start": frame.attrs.get("window_start", ""),
        "data.window_end": frame.attrs.get("window_end", ""),
        "feature_service": frame.attrs.get("feature_service", ""),
    }
    params = {"epochs": epochs, "seed": settings.seed, "held_out_customers": len(cases),
              "knn_weight": net.knn_weight}  # fmt: skip
    run_id, version, client = log_version(settings, net, cases, window, params, metrics | baselines)

    def champion_ndcg(champion: str) -> float:
        import mlflow.pytorch

        champion_net = mlflow.pytorch.load_model(f"models:/{MODEL_NAME}/{champion}")
        if getattr(champion_net, "schema", 1) != SCHEMA:
            # Older champions learned from repeated interactions and cannot score distinct-product
            # histories: they count as what serving shows without them, popularity.
            log.warning(
                "recommender v%s predates schema %s; scored as popularity", champion, SCHEMA
            )
            return baselines[f"popularity_{METRIC}"]
        return evaluate(model_rankings(champion_net, cases), cases)[METRIC]

    # Without a champion, serving shows popular products: the first version must beat them.
    decision = promote_if_better(
        client,
        MODEL_NAME,
        version,
        METRIC,
        metrics[METRIC],
        champion_ndcg,
        incumbent_value=baselines[f"popularity_{METRIC}"],
    )
    return {
        "run_id": run_id,
        "version": version,
        **metrics,
        **baselines,
        "promoted": decision.promoted,
        "reason": decision.reason,
    }


def log_version(settings, net, cases, window, params, metrics) -> tuple[str, str, Any]:
    """Logs the run and registers the model; returns run id, version and the registry client."""
    import mlflow

    use_experiment(settings, RECOMMENDER_EXPERIMENT)
    params = {**params, "max_len": MAX_LEN, "items": len(net.item_ids), "schema": SCHEMA}
    with mlflow.start_run(run_name="recommender") as run:
        mlflow.set_tags(window)
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
        example = net.sasrec.pad([net.encode(cases[0][1])]).numpy()
        info = mlflow.pytorch.log_model(
            net,
            name="model",
            registered_model_name=MODEL_NAME,
            signature=mlflow.models.infer_signature(example, _logits(net, example)),
            input_example=example,
            serialization_format="pickle",
            pip_requirements=[f"torch=={torch.__version__.split('+')[0]}"],
        )
    version = str(info.registered_model_version)
    client = mlflow.MlflowClient()
    for key, value in window.items():
        client.set_model_version_tag(MODEL_NAME, version, key, value)
    return run.info.run_id, version, client


def _logits(net: RecommenderNet, example: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return net(torch.from_numpy(example)).numpy()


if __name__ == "__main__":
    print(train_recommender(Settings()))
