"""Registers recommender versions of any kind (sasrec, item_knn, popularity) and loads them back
without unpickling: the scoring module as pt2, its vocabulary, popularity, "also bought"
neighbours and categories as JSON extra files."""

from __future__ import annotations

from pathlib import Path

from models.recommender.model import MAX_LEN, SCHEMA, ProductScorer, fold_weights, pad
from models.registry import KIND_TAG
from models.saving import UnsafeModelError, download, load_torch_module, log_model, read_extra

MODEL_NAME = "recommender"
Neighbours = dict[str, list[tuple[str, float]]]


def log_recommender(
    scorer: ProductScorer,
    *,
    popular: list[tuple[str, float]],
    neighbours: Neighbours,
    categories: dict[str, str],
    example: list[list[str]],
    name: str,
    register: bool,
) -> str | None:
    """Logs one contender under the active run as `name`; returns its version when registered."""
    import mlflow

    extras = {
        "model": {"kind": scorer.kind, "schema": SCHEMA, "max_len": MAX_LEN},
        "vocabulary": scorer.item_ids,
        "popularity": [[p, share] for p, share in popular],
        "neighbours": {p: [[q, s] for q, s in near] for p, near in neighbours.items()},
        "categories": categories,
    }
    items = pad([scorer.encode(h) for h in example]).numpy()
    info = log_model(
        scorer.module,
        items,
        name=name,
        registered_model_name=MODEL_NAME if register else None,
        extras=extras,
    )
    version = getattr(info, "registered_model_version", None)
    if not register or version is None:
        return None
    mlflow.MlflowClient().set_model_version_tag(MODEL_NAME, str(version), KIND_TAG, scorer.kind)
    return str(version)


class Loaded:
    """A version read back: its scorer and the serving facts that travel with it."""

    def __init__(self, version: str, local: Path) -> None:
        meta = read_extra(local, "model", {})
        if meta.get("schema") != SCHEMA:
            raise UnsafeModelError("old_schema", f"recommender v{version} predates schema {SCHEMA}")
        module = fold_weights(load_torch_module(local))
        self.version = version
        self.scorer = ProductScorer(module, read_extra(local, "vocabulary", []), meta["kind"])
        self.popular = [(str(p), float(s)) for p, s in read_extra(local, "popularity", [])]
        self.neighbours: Neighbours = {
            p: [(str(q), float(s)) for q, s in near]
            for p, near in read_extra(local, "neighbours", {}).items()
        }
        self.categories: dict[str, str] = read_extra(local, "categories", {})


def load_recommender_version(version: str) -> Loaded:
    """Raises UnsafeModelError for a version this code must not or cannot load."""
    return Loaded(version, download(f"models:/{MODEL_NAME}/{version}"))
