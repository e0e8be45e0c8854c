"""Trains the search ranker: our position-aware net is the challenger; index order and LightGBM
lambdarank on the same features are the baselines, the re-scored champion the incumbent, all on
the held-out day. The gate decides; the net is registered (and a baseline too when it wins the
gate), and the decision is logged. With interleaving on, the net is next round's challenger.

The gate metric is counterfactual (IPS-DCG@10 with the cascade's propensities, models.ranker.
cascade): logged clicks are biased towards the positions the shown order gave them, so the naive
NDCG would reward that order itself.
Run: `python -m models.ranker.train` (uses Settings() from the environment).
"""

from __future__ import annotations

import logging
from typing import Any

from features.training_sets import ranking_training_set
from models.errors import training_set
from models.gate import Contender, decide
from models.ranker.compare import METRIC, Comparison, Judged, compare, per_search
from models.ranker.data import SearchLists
from models.ranker.embeddings import TitleEmbeddings, build_product_embeddings, load_encoder
from models.ranker.experiment import conclude_interleaving
from models.ranker.features import FEATURES
from models.ranker.learn import BATCH, EPOCHS, HIDDEN, LEARNING_RATE, MEMBERS, WEIGHT_DECAY
from models.ranker.mlflow_io import log_candidate, set_version_tags
from models.ranker.model import IndexOrderNet
from models.ranker.predict import MODEL_NAME, load_version
from models.registry import apply_decision, champion_version, ensure_new_round, next_champion
from models.saving import UnsafeModelError
from models.tracking import RANKER_EXPERIMENT, mlflow_client, use_experiment
from storeloop.settings import Settings

log = logging.getLogger(__name__)
# The fitted cascade the gate weighed clicks with, and the net's learned position bias.
PROPENSITIES_ARTIFACT = "propensities.json"
OURS = "neural"  # the store's ranker: the challenger, interleaved with the champion next round
# The baselines it must beat, fitted or scored on the same window; a baseline that beats the
# champion serves instead. compare.py's metric prefixes are these kinds.
BASELINES = ("index", "lightgbm")
FALLBACK = "index"  # what serving shows without a champion


def train_ranker(
    settings: Settings,
    *,
    epochs: int = EPOCHS,
    shuffle_labels: bool = False,
    embeddings: TitleEmbeddings | None = None,
) -> dict[str, Any]:
    """Trains on all days but the last and lets the gate decide on the last. `shuffle_labels`
    builds a deliberately bad challenger."""
    import mlflow  # heavy; imported where used so `import models.ranker.train` stays cheap

    client = mlflow_client(settings)
    # Last round's experiment ends first: a challenger it promotes is this round's incumbent.
    experiment = conclude_interleaving(settings, client)
    frame = training_set(ranking_training_set, settings)
    ensure_new_round(client, MODEL_NAME, str(frame.attrs.get("window_end", "")))
    if embeddings is None:
        encoder = load_encoder()
        build_product_embeddings(settings, encoder)
        embeddings = TitleEmbeddings.from_store(settings, encoder)
    result = compare(settings, frame, embeddings, epochs=epochs, shuffle_labels=shuffle_labels)
    held_out, judged = result.held_out, result.judged
    decision = decide(
        MODEL_NAME, METRIC, "searches",
        [Contender(OURS, OURS, "challenger", per_search(result.scores[OURS], judged))],
        [Contender(kind, kind, "baseline", per_search(result.scores[kind], judged))
         for kind in BASELINES],
        rescore_champion(settings, client, held_out, judged), FALLBACK, seed=settings.seed,
    )  # fmt: skip
    # Unprefixed metrics are the challenger's; every kind's stay under its prefix.
    chosen = {
        k.removeprefix(f"{OURS}_"): v for k, v in result.metrics.items() if k.startswith(OURS)
    }
    metrics = chosen | result.metrics
    if decision.champion is not None:
        metrics[f"champion_{METRIC}"] = decision.champion.mean

    use_experiment(settings, RANKER_EXPERIMENT)
    window = {
        "data.window_start": str(frame.attrs.get("window_start", "")),
        "data.window_end": str(frame.attrs.get("window_end", "")),
        "data.held_out_day": str(result.held_frame["event_timestamp"].min().date()),
        "feature_service": str(frame.attrs.get("feature_service", "")),
    }
    with mlflow.start_run(run_name="search-ranker") as run:
        mlflow.set_tags(window | {"ranker.kind": OURS})
        mlflow.log_params(_params(result, epochs, shuffle_labels, settings))
        mlflow.log_metrics(metrics)
        mlflow.log_dict(
            {
                "cascade": result.cascade.as_dict(),
                "net_position_bias": result.position_bias.tolist(),
            },
            PROPENSITIES_ARTIFACT,
        )
        versions: dict[str, str] = {}
        confirm_online = settings.interleave_share > 0
        serves_next = next_champion(decision, confirm_online=confirm_online)
        won = (
            serves_next.name if serves_next is not None and serves_next.role == "baseline" else None
        )
        # Both fitted models are logged; a version is registered for the challenger and for a
        # baseline that wins the gate (index order as a model that keeps the index's order).
        fitted = {OURS: result.models[OURS], "lightgbm": result.models["lightgbm"]}
        if won == FALLBACK:
            fitted[FALLBACK] = IndexOrderNet()
        for kind, model in fitted.items():
            version = log_candidate(kind, model, held_out, kind in (OURS, won), FEATURES)
            if version is not None:
                versions[kind] = version
    for version in versions.values():
        set_version_tags(client, version, window)
    record = apply_decision(
        settings, client, decision, run_id=run.info.run_id, versions=versions,
        confirm_online=confirm_online,
    )  # fmt: skip
    log.info("ranker gate: %s", record["reason"])
    return {
        "run_id": run.info.run_id,
        "version": versions[OURS],
        "kind": OURS,
        **metrics,
        "promoted": record["champion_after"] == versions[OURS],
        "experiment": experiment,
        "champion": record["champion_after"],
        "reason": record["reason"],
        "decision": record,
    }


def rescore_champion(
    settings: Settings, client: Any, held_out: SearchLists, judged: Judged
) -> Contender | None:
    """The champion's gate metric on this held-out day; one saved by older code (pickle) is
    not loaded (serving does not load it either), so it counts as no champion."""
    version = champion_version(client, MODEL_NAME)
    if version is None:
        return None
    try:
        ranker = load_version(settings, version)
    except UnsafeModelError as error:
        log.warning("champion v%s not re-scored (%s): %s", version, error.code, error)
        return None
    scores = ranker.score_lists(held_out.features, held_out.mask, FEATURES)
    return Contender("champion", ranker.kind, "champion", per_search(scores, judged), version)


def _params(
    result: Comparison, epochs: int, shuffle_labels: bool, settings: Settings
) -> dict[str, Any]:
    from models.ranker.boosted import PARAMS, ROUNDS

    return {
        "epochs": epochs,
        "loss": "pointwise_worth_with_position_bias",
        "revenue_weight": settings.ranker_revenue_weight,
        "model": f"mean of {MEMBERS} quantile-scaled mlp{HIDDEN}x{HIDDEN}",
        "batch_rows": BATCH,
        "learning_rate": LEARNING_RATE,
        "weight_decay": WEIGHT_DECAY,
        "propensities": "cascade_maximum_likelihood",
        "seed": settings.seed,
        "shuffle_labels": shuffle_labels,
        "train_searches": len(result.train),
        "held_out_searches": len(result.held_out),
        "lightgbm_rounds": ROUNDS,
        **{f"lightgbm_{k}": v for k, v in PARAMS.items() if k in ("learning_rate", "num_leaves")},
        "features": ",".join(result.models["neural"].feature_names),
    }


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    outcome = train_ranker(Settings())
    print({k: v for k, v in outcome.items() if k != "decision"})
    print(outcome["decision"]["reason"])
