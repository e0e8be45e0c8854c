"""Trains the next-item recommender, compares it with popularity on each customer's last
interaction, logs to MLflow and gates promotion. Run: `python -m models.recommender.train`."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from features.training_sets import interaction_training_set
from models.errors import training_set
from models.metrics import hit_and_ndcg
from models.recommender.data import Sequences, interaction_sequences, popularity
from models.recommender.model import MAX_LEN, RecommenderNet
from models.registry import promote_if_better
from models.tracking import RECOMMENDER_EXPERIMENT, use_experiment
from storeloop.settings import Settings

MODEL_NAME = "recommender"
METRIC = "ndcg_at_10"


def evaluate(ranked: list[list[str]], cases: list[tuple[str, list[str], str]]) -> dict[str, float]:
    """HR@10 and NDCG@10 of each case's next item within its ranked list."""
    scores = [
        hit_and_ndcg(r.index(c[2]) if c[2] in r else None)
        for r, c in zip(ranked, cases, strict=True)
    ]
    return {
        "hr_at_10": float(np.mean([s[0] for s in scores])),
        METRIC: float(np.mean([s[1] for s in scores])),
    }


def model_rankings(net: RecommenderNet, cases: list[tuple[str, list[str], str]]) -> list[list[str]]:
    logits = net.next_item_scores([history for _, history, _ in cases])
    top = np.argsort(-logits, axis=1)[:, :10]
    return [[net.item_ids[i - 1] for i in row if i > 0] for row in top]


def fit(sequences: Sequences, epochs: int, seed: int) -> RecommenderNet:
    torch.manual_seed(seed)
    net = RecommenderNet(
        sorted({p for items in sequences.full.values() for p in items}), popularity(sequences.full)
    )
    # Every step predicts the next item: inputs are the sequence, targets the same shifted by one.
    windows = [net.encode(items)[-MAX_LEN:] for items in sequences.train.values()]
    padded = torch.tensor([[0] + w for w in windows], dtype=torch.long)
    inputs, targets = padded[:, :-1], padded[:, 1:]
    optimiser = torch.optim.Adam(net.parameters(), lr=0.005)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)
    net.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(inputs)).split(256):
            optimiser.zero_grad()
            logits = net(inputs[batch])
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), targets[batch].reshape(-1))
            loss.backward()
            optimiser.step()
    net.eval()
    net.histories = {c: items[-MAX_LEN:] for c, items in sequences.full.items()}
    return net


def train_recommender(settings: Settings, *, epochs: int = 40) -> dict:
    """Trains on everything but each customer's last interaction, evaluates on those, registers."""
    import mlflow

    frame = training_set(interaction_training_set, settings)
    sequences = interaction_sequences(frame)
    cases = sequences.held_out
    net = fit(sequences, epochs=epochs, seed=settings.seed)
    popular = list(popularity(sequences.train))[:10]
    baseline = evaluate([popular] * len(cases), cases)
    metrics = evaluate(model_rankings(net, cases), cases)

    use_experiment(settings, RECOMMENDER_EXPERIMENT)
    window = {
        "data.window_start": frame.attrs.get("window_start", ""),
        "data.window_end": frame.attrs.get("window_end", ""),
        "feature_service": frame.attrs.get("feature_service", ""),
    }
    with mlflow.start_run(run_name="recommender") as run:
        mlflow.set_tags(window)
        mlflow.log_params(
            {
                "epochs": epochs,
                "max_len": MAX_LEN,
                "seed": settings.seed,
                "items": len(net.item_ids),
                "held_out_customers": len(cases),
            }
        )
        mlflow.log_metrics({**metrics, **{f"popularity_{k}": v for k, v in baseline.items()}})
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

    def champion_ndcg(champion: str) -> float:
        champion_net = mlflow.pytorch.load_model(f"models:/{MODEL_NAME}/{champion}")
        return evaluate(model_rankings(champion_net, cases), cases)[METRIC]

    decision = promote_if_better(
        client, MODEL_NAME, version, METRIC, metrics[METRIC], champion_ndcg
    )
    return {
        "run_id": run.info.run_id,
        "version": version,
        **metrics,
        **{f"popularity_{k}": v for k, v in baseline.items()},
        "promoted": decision.promoted,
        "reason": decision.reason,
    }


if __name__ == "__main__":
    print(train_recommender(Settings()))
