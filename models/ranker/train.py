"""Trains the search ranker (ListNet, position-bias weights), logs it to MLflow, gates promotion.

The gate metric is counterfactual (IPS-NDCG@10 on the held-out day): logged clicks are biased
towards the positions index order gave them, so the naive NDCG would reward index order itself.
Run: `python -m models.ranker.train` (uses Settings() from the environment).
"""

from __future__ import annotations

import numpy as np
import torch

from features.training_sets import ranking_training_set
from models.errors import TrainingDataError, training_set
from models.metrics import MAX_IPW, PROPENSITY_ETA, mean_ips_ndcg, mean_ndcg
from models.ranker.data import SearchLists, search_lists, split_by_day
from models.ranker.learn import (
    HIDDEN,
    LEARNING_RATE,
    WEIGHT_DECAY,
    fit,
    index_order,
    score_lists,
)
from models.registry import promote_if_better
from models.tracking import RANKER_EXPERIMENT, use_experiment
from storeloop.settings import Settings

MODEL_NAME = "search-ranker"
METRIC = "ips_ndcg_at_10"  # the gate; "ndcg_at_10" (naive, logged clicks) is for information
NAIVE = "ndcg_at_10"
INCUMBENT = "index order"


def evaluate(scores: np.ndarray, held_out: SearchLists) -> dict[str, float]:
    return {
        METRIC: mean_ips_ndcg(held_out.logged_lists(scores)),
        NAIVE: mean_ndcg(held_out.lists(scores)),
    }


def train_ranker(settings: Settings, *, epochs: int = 300, shuffle_labels: bool = False) -> dict:
    """Trains on all days but the last, evaluates on the last against index order and the
    champion, registers and gates. `shuffle_labels` builds a deliberately bad challenger."""
    import mlflow  # heavy; imported where used so `import models.ranker.train` stays cheap

    frame = training_set(ranking_training_set, settings)
    train_frame, held_frame = split_by_day(frame)
    if shuffle_labels:
        train_frame = train_frame.assign(
            label=np.random.default_rng(settings.seed).permutation(train_frame["label"].to_numpy())
        )
    train, held_out = search_lists(train_frame), search_lists(held_frame)
    model = fit(train, epochs=epochs, seed=settings.seed)
    scores = evaluate(score_lists(model, held_out), held_out)
    index = evaluate(index_order(held_out), held_out)
    if not all(np.isfinite(value) for value in scores.values()):
        raise TrainingDataError("corrupt_window", "model scores are not finite")
    metrics = scores | {f"index_{name}": value for name, value in index.items()}

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
                "model": f"linear+mlp{HIDDEN}",
                "learning_rate": LEARNING_RATE,
                "weight_decay": WEIGHT_DECAY,
                "propensity_eta": PROPENSITY_ETA,
                "max_ipw": MAX_IPW,
                "seed": settings.seed,
                "shuffle_labels": shuffle_labels,
                "train_searches": len(train),
                "held_out_searches": len(held_out),
            }
        )
        mlflow.log_metrics(metrics)
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
    client.set_model_version_tag(MODEL_NAME, version, "promotion.baseline", INCUMBENT)

    def champion_value(champion: str) -> float:
        champion_model = mlflow.pytorch.load_model(f"models:/{MODEL_NAME}/{champion}")
        return evaluate(score_lists(champion_model, held_out), held_out)[METRIC]

    # Without a champion serving keeps index order, so that is what the first version must beat.
    decision = promote_if_better(
        client, MODEL_NAME, version, METRIC, scores[METRIC], champion_value,
        incumbent_value=index[METRIC],
    )  # fmt: skip
    return {
        "run_id": run.info.run_id,
        "version": version,
        **metrics,
        "promoted": decision.promoted,
        "reason": decision.reason,
    }


def score_lists_flat(model: torch.nn.Module, features: np.ndarray) -> np.ndarray:
    """Scores of one list of rows (n, f), as serving calls the model."""
    with torch.no_grad():
        return model(torch.from_numpy(features)).numpy()


if __name__ == "__main__":
    print(train_ranker(Settings()))
