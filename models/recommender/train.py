"""Trains the next-item recommender on distinct-product sequences, compares it with popularity and
co-occurrence on each customer's last new product, logs to MLflow and gates promotion.
Run: `python -m models.recommender.train`."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch
from torch import nn

from features.training_sets import interaction_training_set
from models.errors import training_set
from models.recommender.data import (
    Sequences,
    catalog_categories,
    interaction_sequences,
    popularity,
)
from models.recommender.evaluate import baseline_metrics, evaluate, model_rankings
from models.recommender.model import MAX_LEN, SCHEMA, RecommenderNet
from models.registry import promote_if_better
from models.tracking import RECOMMENDER_EXPERIMENT, use_experiment
from storeloop.settings import Settings

log = logging.getLogger(__name__)
MODEL_NAME = "recommender"
METRIC = "ndcg_at_10"
BATCH = 32
LR = 0.005
DECAY = 0.01


def fit(sequences: Sequences, epochs: int, seed: int) -> RecommenderNet:
    """Next-product softmax over the catalog (every product in `sequences.categories` and every
    product touched), trained on `sequences.train`; carries the full histories for serving."""
    torch.manual_seed(seed)
    net = RecommenderNet(
        sorted(set(sequences.categories) | {p for items in sequences.full.values() for p in items}),
        popularity(sequences.train),
        sequences.categories,
    )
    # Every step predicts the next product: inputs are the sequence, targets it shifted by one.
    windows = [net.encode(items) for items in sequences.train.values() if len(items) >= 2]
    padded = torch.tensor([[0] + w for w in windows], dtype=torch.long).reshape(-1, MAX_LEN + 1)
    inputs, targets = padded[:, :-1], padded[:, 1:]
    # Products never touched in training are left out of the softmax rather than pushed down:
    # they are new to the window, not bad, and score through their category.
    untouched = torch.ones(len(net.item_ids) + 1, dtype=torch.bool)
    untouched[targets.unique()] = False
    optimiser = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=DECAY)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)
    # A handful of shoppers still needs several steps per epoch to learn anything.
    batch_size = min(BATCH, max(4, len(inputs) // 8))
    net.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(inputs)).split(batch_size):
            optimiser.zero_grad()
            # Only steps with a next product pay for the softmax over the whole catalog.
            wanted = targets[batch] > 0
            hidden = net.hidden_states(inputs[batch])[wanted]
            logits = net.logits(hidden).masked_fill(untouched, float("-inf"))
            loss = loss_fn(logits, targets[batch][wanted])
            loss.backward()
            optimiser.step()
    net.eval()
    net.histories = {c: items[-MAX_LEN:] for c, items in sequences.full.items()}
    net.purchased = {c: set(items) for c, items in sequences.purchased.items()}
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
    params = {"epochs": epochs, "seed": settings.seed, "held_out_customers": len(cases)}
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
        example = np.array([net.encode(cases[0][1])], dtype=np.int64)
        info = mlflow.pytorch.log_model(
            net,
            name="model",
            registered_model_name=MODEL_NAME,
            signature=mlflow.models.infer_signature(example, net.next_item_scores([cases[0][1]])),
            input_example=example,
            serialization_format="pickle",
            pip_requirements=[f"torch=={torch.__version__.split('+')[0]}"],
        )
    version = str(info.registered_model_version)
    client = mlflow.MlflowClient()
    for key, value in window.items():
        client.set_model_version_tag(MODEL_NAME, version, key, value)
    return run.info.run_id, version, client


if __name__ == "__main__":
    print(train_recommender(Settings()))
