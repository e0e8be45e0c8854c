"""MLflow wiring from settings: the tracking URI (a SQLite file, or a tracking server over HTTP) and
experiments with file artifact roots (embedded) or the server's proxied artifact store."""

from __future__ import annotations

import logging
import os

import mlflow
from mlflow import MlflowClient

from storeloop.settings import Settings

RANKER_EXPERIMENT = "search-ranker"
RECOMMENDER_EXPERIMENT = "recommender"


def mlflow_client(settings: Settings) -> MlflowClient:
    """Points mlflow at the settings' tracking store; called by entry points, never at import."""
    # The environment is made by uv, which installs no pip; every model pins its requirements
    # explicitly, so mlflow's "cannot resolve the pip version" warning says nothing to act on.
    logging.getLogger("mlflow.utils.environment").setLevel(logging.ERROR)
    # MLflow's own handler prints its INFO lines ("Creating initial MLflow database tables...")
    # to stderr; its warnings and errors still show.
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    # Each model load draws a progress bar for a file copied on the same disk: noise in `make up`.
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    settings.mlflow_artifacts_dir.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(settings.tracking_uri)
    mlflow.set_registry_uri(settings.tracking_uri)
    return MlflowClient(tracking_uri=settings.tracking_uri, registry_uri=settings.tracking_uri)


def use_experiment(settings: Settings, name: str) -> str:
    """Creates the experiment (artifacts under mlflow_artifacts_dir) if missing and selects it."""
    client = mlflow_client(settings)
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        # A tracking server keeps artifacts where it was told (`--artifacts-destination`) and
        # serves them over HTTP: clients on other machines see no local path.
        location = None
        if not settings.tracking_uri.startswith(("http://", "https://")):
            location = (settings.mlflow_artifacts_dir / name).resolve().as_uri()
        experiment_id = client.create_experiment(name, artifact_location=location)
    else:
        experiment_id = experiment.experiment_id
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id
