"""Trains the search ranker (ListNet, position-bias weights), logs it to MLflow, gates promotion.

Run: `python -m models.ranker.train` (uses Settings() from the environment).
"""

from __future__ import annotations

import numpy as np
import torch

from features.training_sets import ranking_training_set
from models.errors import TrainingDataError, training_set
from models.metrics import mean_ndcg
from models.ranker.data import SearchLists, search_lists, split_by_day
from models.ranker.model import RankerNet
from models.registry import promote_if_better
from models.tracking import RANKER_EXPERIMENT, use_experiment
from storeloop.settings import Settings

MODEL_NAME = "search-ranker"
METRIC = "ndcg_at_10"
PROPENSITY_ETA = 0.8  # examination probability ~ (1/position)^eta, the usual click-model fit
MAX_IPW = 10.0  # clip inverse propensities so a lucky deep click does not dominate a batch


def listnet_loss(scores: torch.Tensor, lists: dict[str, torch.Tensor]) -> torch.Tensor:
    """Cross-entropy between the softmax of scores and the propensity-weighted graded gains."""
    scores = scores.masked_fill(~lists["mask"], float("-inf"))
    log_probs = torch.log_softmax(scores, dim=1).masked_fill(~lists["mask"], 0.0)
    ipw = torch.clamp(lists["positions"] ** PROPENSITY_ETA, max=MAX_IPW)
    target = (torch.pow(2.0, lists["labels"]) - 1.0) * ipw * lists["mask"]
    totals = target.sum(dim=1)
    useful = totals > 0
    per_search = -(target * log_probs).sum(dim=1)[useful] / totals[useful]
    return per_search.mean()


def _tensors(data: SearchLists) -> dict[str, torch.Tensor]:
    return {
        "features": torch.from_numpy(data.features),
        "labels": torch.from_numpy(data.labels),
        "positions": torch.from_numpy(data.positions),
        "mask": torch.from_numpy(data.mask),
    }


def score_lists(model: torch.nn.Module, data: SearchLists) -> np.ndarray:
    with torch.no_grad():
        flat = torch.from_numpy(data.features.reshape(-1, data.features.shape[-1]))
        return model(flat).numpy().reshape(data.labels.shape)


def fit(train: SearchLists, epochs: int, seed: int, learning_rate: float = 0.01) -> RankerNet:
    torch.manual_seed(seed)
    flat = train.features[train.mask]
    model = RankerNet(mean=flat.mean(axis=0), std=flat.std(axis=0))
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate, weight_decay=1e-4)
    lists = _tensors(train)
    batch = lists["features"].reshape(-1, lists["features"].shape[-1])
    for _ in range(epochs):
        optimiser.zero_grad()
        loss = listnet_loss(model(batch).reshape(lists["labels"].shape), lists)
        loss.backward()
        optimiser.step()
    model.eval()
    return model


def train_ranker(settings: Settings, *, epochs: int = 200, shuffle_labels: bool = False) -> dict:
    """Trains on all days but the last, evaluates NDCG@10 on the last, registers and gates.

    `shuffle_labels` exists to build a deliberately bad challenger (tests, drills).
    """
    import mlflow  # heavy; imported where used so `import models.ranker.train` stays cheap

    frame = training_set(ranking_training_set, settings)
    train_frame, held_frame = split_by_day(frame)
    if shuffle_labels:
        train_frame = train_frame.assign(
            label=np.random.default_rng(settings.seed).permutation(train_frame["label"].to_numpy())
        )
    train, held_out = search_lists(train_frame), search_lists(held_frame)
    model = fit(train, epochs=epochs, seed=settings.seed)
    index_ndcg = mean_ndcg(held_out.lists(-held_out.positions))
    model_ndcg = mean_ndcg(held_out.lists(score_lists(model, held_out)))
    if not np.isfinite(model_ndcg):
        raise TrainingDataError("corrupt_window", "model scores are not finite")

    use_experiment(settings, RANKER_EXPERIMENT)
    window = {
        "data.window_start": frame.attrs.get("window_start", ""),
        "data.window_end": frame.attrs.get("window_end", ""),
        "data.held_out_day": str(held_frame["event_timestamp"].min().date()),
        "feature_service": frame.attrs.get("feature_service", ""),
    }
    with mlflow.start_run(run_name="search-ranker") as run:
        mlflow.set_tags(window)
        mlflow.log_params(
            {
                "epochs": epochs,
                "loss": "listnet_ipw",
                "propensity_eta": PROPENSITY_ETA,
                "max_ipw": MAX_IPW,
                "seed": settings.seed,
                "shuffle_labels": shuffle_labels,
                "train_searches": len(train),
                "held_out_searches": len(held_out),
            }
        )
        mlflow.log_metrics({METRIC: model_ndcg, f"index_{METRIC}": index_ndcg})
        example = held_out.features[held_out.mask][:5]
        info = mlflow.pytorch.log_model(
            model,
            name="model",
            registered_model_name=MODEL_NAME,
            signature=mlflow.models.infer_signature(example, score_lists_flat(model, example)),
            input_example=example,
            serialization_format="pickle",
            pip_requirements=[f"torch=={torch.__version__.split('+')[0]}"],
        )
    version = str(info.registered_model_version)
    client = mlflow.MlflowClient()
    for key, value in window.items():
        client.set_model_version_tag(MODEL_NAME, version, key, value)

    def champion_ndcg(champion: str) -> float:
        champion_model = mlflow.pytorch.load_model(f"models:/{MODEL_NAME}/{champion}")
        return mean_ndcg(held_out.lists(score_lists(champion_model, held_out)))

    decision = promote_if_better(client, MODEL_NAME, version, METRIC, model_ndcg, champion_ndcg)
    return {
        "run_id": run.info.run_id,
        "version": version,
        METRIC: model_ndcg,
        f"index_{METRIC}": index_ndcg,
        "promoted": decision.promoted,
        "reason": decision.reason,
    }


def score_lists_flat(model: torch.nn.Module, features: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(features)).numpy()


if __name__ == "__main__":
    print(train_ranker(Settings()))
