"""One recommender round: fits the store recommender, item-kNN and popularity on the same window,
scores them and the re-scored champion on each shopper's last new product, lets the gate decide,
registers the challenger (and a baseline that wins) and logs the decision.
Run: `python -m models.recommender.train`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from features.training_sets import interaction_training_set
from models.errors import TrainingDataError, training_set
from models.gate import Contender, decide
from models.lake import product_families
from models.recommender.also_bought import also_bought
from models.recommender.contenders import Contenders, fit_contenders
from models.recommender.data import (
    as_families,
    catalog_categories,
    interaction_sequences,
    popularity,
)
from models.recommender.evaluate import Case, PerShopper, per_shopper
from models.recommender.mlflow_io import MODEL_NAME, load_recommender_version, log_recommender
from models.recommender.model import ProductScorer
from models.registry import apply_decision, champion_version, ensure_new_round
from models.saving import UnsafeModelError
from models.tracking import RECOMMENDER_EXPERIMENT, mlflow_client, use_experiment
from storeloop.settings import Settings

log = logging.getLogger(__name__)
METRIC = "ndcg_at_10"
CHALLENGER = "sasrec"
BASELINES = ("item_knn", "popularity")
FALLBACK = "popularity"  # what serving shows without a champion


def train_recommender(
    settings: Settings, *, epochs: int = 80, titles: dict[str, np.ndarray] | None = None
) -> dict[str, Any]:
    """Trains on everything but each customer's last new product and evaluates on those.
    `titles` (product_id -> unit title vector) defaults to the title-embedding store.
    An empty or corrupt window raises TrainingDataError before anything is registered."""
    started = time.monotonic()
    client = mlflow_client(settings)
    frame = training_set(interaction_training_set, settings)
    ensure_new_round(client, MODEL_NAME, str(frame.attrs.get("window_end", "")))
    # the model learns products, not sizes: serving asks it with each variant's family
    frame, catalog = as_families(frame, catalog_categories(settings), product_families(settings))
    sequences = interaction_sequences(frame, catalog)
    cases = sequences.held_out
    fitted = fit_contenders(
        sequences, title_vectors(settings) if titles is None else titles,
        epochs=epochs, seed=settings.seed,
    )  # fmt: skip
    scored = {name: _score(name, s, cases) for name, s in fitted.scorers.items()}
    parts = {name: _score(name, s, cases) for name, s in fitted.parts.items()}
    champion = rescore_champion(client, cases)
    decision = decide(
        MODEL_NAME, METRIC, "shoppers",
        [Contender(CHALLENGER, "sasrec", "challenger", scored[CHALLENGER].ndcg)],
        [Contender(name, name, "baseline", scored[name].ndcg) for name in BASELINES],
        champion, FALLBACK, seed=settings.seed,
    )  # fmt: skip
    metrics = scored[CHALLENGER].summary()
    for name, values in {**scored, **parts}.items():
        metrics |= values.summary(f"{name}_")
    if champion is not None:
        metrics[f"champion_{METRIC}"] = champion.mean
    window = {
        "data.window_start": str(frame.attrs.get("window_start", "")),
        "data.window_end": str(frame.attrs.get("window_end", "")),
        "feature_service": str(frame.attrs.get("feature_service", "")),
    }
    params = {"epochs": epochs, "seed": settings.seed, "held_out_customers": len(cases),
              "items": len(fitted.item_ids), **fitted.params}  # fmt: skip
    params["fit_s"] = round(time.monotonic() - started, 1)

    use_experiment(settings, RECOMMENDER_EXPERIMENT)
    import mlflow

    with mlflow.start_run(run_name="recommender") as run:
        mlflow.set_tags(window)
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
        serving = _serving_facts(sequences, fitted)
        versions = {CHALLENGER: _log(fitted, CHALLENGER, serving, cases, register=True)}
        winner = decision.winner
        if winner is not None and winner.role == "baseline":
            versions[winner.name] = _log(fitted, winner.name, serving, cases, register=True)
        for key, value in window.items():
            for version in versions.values():
                client.set_model_version_tag(MODEL_NAME, version, key, value)
    record = apply_decision(settings, client, decision, run_id=run.info.run_id, versions=versions)
    log.info("recommender gate: %s", record["reason"])
    return {
        "run_id": run.info.run_id,
        "version": versions[CHALLENGER],
        "kind": "sasrec",
        **metrics,
        "promoted": decision.outcome == "promote_challenger",
        "champion": record["champion_after"],
        "reason": decision.reason,
        "decision": record,
        "seconds": round(time.monotonic() - started, 1),
    }


def rescore_champion(client: Any, cases: list[Case]) -> Contender | None:
    """The champion on this window through the same path as the contenders; one saved by older
    code is not loaded (serving does not load it either), so it counts as no champion."""
    version = champion_version(client, MODEL_NAME)
    if version is None:
        return None
    try:
        loaded = load_recommender_version(version)
    except UnsafeModelError as error:
        log.warning("champion v%s not re-scored (%s): %s", version, error.code, error)
        return None
    values = per_shopper(loaded.scorer, cases).ndcg
    return Contender("champion", loaded.scorer.kind, "champion", values, version)


def title_vectors(settings: Settings) -> dict[str, np.ndarray]:
    """Title vectors of the embedding store, first encoding silver products it lacks (the
    ranker's job does the same; whichever runs first pays for it)."""
    from models.ranker.catalog import product_titles
    from models.ranker.embeddings import build_product_embeddings, read_store, store_path

    stored = read_store(store_path(settings))
    if set(product_titles(settings)) - set(stored):
        build_product_embeddings(settings)
        stored = read_store(store_path(settings))
    return stored


def _score(name: str, scorer: ProductScorer, cases: list[Case]) -> PerShopper:
    try:
        return per_shopper(scorer, cases)
    except ValueError as error:
        raise TrainingDataError("corrupt_window", f"{name}: {error}") from error


def _serving_facts(sequences: Any, fitted: Contenders) -> dict[str, Any]:
    """What every registered version carries for serving, whatever its kind."""
    return {
        "popular": list(popularity(sequences.train).items()),
        "neighbours": also_bought(sequences.purchased, sequences.full),
        "categories": {p: sequences.categories.get(p, "") for p in fitted.item_ids},
    }


def _log(
    fitted: Contenders, name: str, serving: dict[str, Any], cases: list[Case], register: bool
) -> str:
    example = [history for _, history, _ in cases[:2]]
    if len(example) < 2:
        example = example * 2  # a batch of 2: pt2 traces the batch size as dynamic from 2 up
    version = log_recommender(
        fitted.scorers[name], example=example, name=f"{name}_model", register=register, **serving
    )
    if version is None:
        raise RuntimeError(f"MLflow did not register the {name} model")
    return version


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    result = train_recommender(Settings())
    print({k: v for k, v in result.items() if k != "decision"})
    print(result["decision"]["reason"])
