"""Logs ranker candidates to MLflow with signature and input example; the winner is registered."""

from __future__ import annotations

from typing import Any

import torch

from models.ranker.boosted import derived_rows
from models.ranker.data import SearchLists

MODEL_NAME = "search-ranker"


def log_candidate(kind: str, model: Any, held_out: SearchLists, register: bool) -> str | None:
    """Logs one fitted model (`model` when registered, `<kind>_model` otherwise); returns the
    registered version, or None. Input examples are the first held-out list's rows."""
    import mlflow

    first = held_out.features[0][held_out.mask[0]][:5]
    name = "model" if register else f"{kind}_model"
    registered = MODEL_NAME if register else None
    if kind == "lightgbm":
        rows = derived_rows(first)  # the booster reads FEATURES plus the list-relative DERIVED
        info = mlflow.lightgbm.log_model(
            model,
            name=name,
            registered_model_name=registered,
            signature=mlflow.models.infer_signature(rows, model.predict(rows)),
            input_example=rows,
        )
    else:
        with torch.no_grad():
            output = model(torch.from_numpy(first)).numpy()
        info = mlflow.pytorch.log_model(
            model,
            name=name,
            registered_model_name=registered,
            signature=mlflow.models.infer_signature(first, output),
            input_example=first,
            serialization_format="pickle",
            pip_requirements=[f"torch=={torch.__version__.split('+')[0]}"],
        )
    version = getattr(info, "registered_model_version", None)
    return str(version) if register and version is not None else None


def set_version_tags(client: Any, version: str, tags: dict[str, str]) -> None:
    for key, value in tags.items():
        client.set_model_version_tag(MODEL_NAME, version, key, value)
