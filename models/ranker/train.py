"""Trains the search ranker: ListNet and LightGBM lambdarank on the same features, compared with
index order on the held-out day; logs all three to MLflow, registers the better model, gates it.

The gate metric is counterfactual (IPS-NDCG@10): logged clicks are biased towards the positions
index order gave them, so the naive NDCG would reward index order itself.
Run: `python -m models.ranker.train` (uses Settings() from the environment).
"""

from __future__ import annotations

from typing import Any

from features.training_sets import ranking_training_set
from models.errors import training_set
from models.ranker.compare import KINDS, METRIC, Comparison, compare, evaluate
from models.ranker.embeddings import TitleEmbeddings, build_product_embeddings, load_encoder
from models.ranker.learn import HIDDEN, LEARNING_RATE, WEIGHT_DECAY
from models.ranker.mlflow_io import log_candidate, set_version_tags
from models.ranker.predict import MODEL_NAME, load_version
from models.registry import promote_if_better
from models.tracking import RANKER_EXPERIMENT, use_experiment
from storeloop.settings import Settings

INCUMBENT = "index order"


def train_ranker(
    settings: Settings,
    *,
    epochs: int = 300,
    shuffle_labels: bool = False,
    embeddings: TitleEmbeddings | None = None,
) -> dict:
    """Trains on all days but the last, evaluates on the last against index order, LightGBM and
    the champion, registers the better model and gates it. `shuffle_labels` builds a
    deliberately bad challenger."""
    import mlflow  # heavy; imported where used so `import models.ranker.train` stays cheap

    frame = training_set(ranking_training_set, settings)
    if embeddings is None:
        encoder = load_encoder()
        build_product_embeddings(settings, encoder)
        embeddings = TitleEmbeddings.from_store(settings, encoder)
    result = compare(settings, frame, embeddings, epochs=epochs, shuffle_labels=shuffle_labels)
    winner = result.winner
    # Unprefixed metrics are the registered model's; every kind's stay under its prefix.
    chosen = {
        k.removeprefix(f"{winner}_"): v for k, v in result.metrics.items() if k.startswith(winner)
    }
    metrics = chosen | result.metrics

    use_experiment(settings, RANKER_EXPERIMENT)
    window = {
        "data.window_start": frame.attrs.get("window_start", ""),
        "data.window_end": frame.attrs.get("window_end", ""),
        "data.held_out_day": str(result.held_frame["event_timestamp"].min().date()),
        "feature_service": frame.attrs.get("feature_service", ""),
    }
    with mlflow.start_run(run_name="search-ranker") as run:
        mlflow.set_tags(window | {"ranker.kind": winner})
        mlflow.log_params(_params(result, epochs, shuffle_labels, settings.seed))
        mlflow.log_metrics(metrics)
        mlflow.log_dict(
            {"examination": result.propensities.examination.tolist()}, "propensities.json"
        )
        version = ""
        for kind in KINDS:
            registered = log_candidate(kind, result.models[kind], result.held_out, kind == winner)
            version = registered or version
    client = mlflow.MlflowClient()
    set_version_tags(client, version, window | {"ranker.kind": winner})
    client.set_model_version_tag(MODEL_NAME, version, "promotion.baseline", INCUMBENT)

    def champion_value(champion: str) -> float:
        ranker = load_version(settings, champion)
        scores = ranker.scorer.lists(result.held_out.features, result.held_out.mask)
        return evaluate(scores, result.held_out, None)[METRIC]

    # Without a champion serving keeps index order, so that is what the first version must beat.
    decision = promote_if_better(
        client, MODEL_NAME, version, METRIC, metrics[METRIC], champion_value,
        incumbent_value=metrics[f"index_{METRIC}"],
    )  # fmt: skip
    return {
        "run_id": run.info.run_id,
        "version": version,
        "kind": winner,
        **metrics,
        "promoted": decision.promoted,
        "reason": decision.reason,
    }


def _params(result: Comparison, epochs: int, shuffle_labels: bool, seed: int) -> dict[str, Any]:
    from models.ranker.boosted import PARAMS, ROUNDS

    return {
        "epochs": epochs,
        "loss": "listnet_ipw",
        "model": f"linear+mlp{HIDDEN}",
        "learning_rate": LEARNING_RATE,
        "weight_decay": WEIGHT_DECAY,
        "propensities": "em_from_logs",
        "seed": seed,
        "shuffle_labels": shuffle_labels,
        "train_searches": len(result.train),
        "held_out_searches": len(result.held_out),
        "lightgbm_rounds": ROUNDS,
        **{f"lightgbm_{k}": v for k, v in PARAMS.items() if k in ("learning_rate", "num_leaves")},
        "features": ",".join(result.models["neural"].feature_names),
    }


if __name__ == "__main__":
    print(train_ranker(Settings()))
