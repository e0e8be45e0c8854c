"""Logs ranker versions without pickle: the net and index order as pt2 archives, LightGBM in its
text format; each with signature, input example, its kind and the feature names it reads."""

from __future__ import annotations

from typing import Any

import numpy as np

from models.ranker.boosted import derived_rows
from models.ranker.data import SearchLists
from models.registry import KIND_TAG
from models.saving import log_model

MODEL_NAME = "search-ranker"
KINDS = ("neural", "lightgbm", "index")


def log_candidate(
    kind: str, model: Any, held_out: SearchLists, register: bool, feature_names: list[str]
) -> str | None:
    """Logs one model (`<kind>_model`) under the active run; returns the registered version, or
    None. Input examples are the first held-out lists (at least two rows each: exported modules
    take any number of lists and rows from two up, and a single row scores the same)."""
    import mlflow

    if kind not in KINDS:
        raise ValueError(f"unknown ranker kind {kind!r}")
    registered = MODEL_NAME if register else None
    extras = {"model": {"kind": kind, "features": list(feature_names)}}
    if kind == "lightgbm":
        # The booster reads FEATURES plus the list-relative DERIVED ones.
        example = derived_rows(held_out.features[0][held_out.mask[0]][:5])
    else:
        example = example_lists(held_out)
    info = log_model(
        model, example, name=f"{kind}_model", registered_model_name=registered, extras=extras
    )
    version = getattr(info, "registered_model_version", None)
    if not register or version is None:
        return None
    mlflow.MlflowClient().set_model_version_tag(MODEL_NAME, str(version), KIND_TAG, kind)
    return str(version)


def example_lists(held_out: SearchLists) -> np.ndarray:
    """(2, 3, f) raw features: two lists of three rows (the first held-out rows, repeated if the
    lists are short): an example of 1 in any dimension would fix that size in the export."""
    rows = held_out.features[held_out.mask]
    picks = np.resize(np.arange(len(rows)), 6)
    return rows[picks].reshape(2, 3, rows.shape[-1]).astype(np.float32)


def set_version_tags(client: Any, version: str, tags: dict[str, str]) -> None:
    for key, value in tags.items():
        client.set_model_version_tag(MODEL_NAME, version, key, value)
