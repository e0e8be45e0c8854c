"""Models saved so that loading runs no code: torch modules as `pt2` archives (torch.export;
MLflow checks the archive is pickle-free before it loads it), LightGBM boosters in their text
format, and whatever else a model needs as JSON extra files. A version saved with pickle (by
older code) is refused with UnsafeModelError, never unpickled.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from storeloop.library_output import prints_to_log

EXTRA_DIR = "extra_files"
_ENV = "MLFLOW_ALLOW_PICKLE_DESERIALIZATION"
_env_lock = threading.Lock()


class UnsafeModelError(Exception):
    """The stored model would run code on load (pickle); `code` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def tensor_signature(example: np.ndarray, output: np.ndarray) -> Any:
    """Every input dimension dynamic (rows and history length vary per call); the output's last
    dimension fixed (the vocabulary or nothing)."""
    from mlflow.models import ModelSignature
    from mlflow.types.schema import Schema, TensorSpec

    inputs = TensorSpec(example.dtype, (-1,) * example.ndim)
    outputs = TensorSpec(output.dtype, (-1,) * (output.ndim - 1) + (output.shape[-1],))
    return ModelSignature(Schema([inputs]), Schema([outputs]))


def log_model(
    model: Any,
    example: np.ndarray,
    *,
    name: str = "model",
    registered_model_name: str | None = None,
    extras: dict[str, Any] | None = None,
) -> Any:
    """Logs a torch module as pt2, or a LightGBM Booster (MLflow saves Boosters with
    `save_model`, the text format), with signature and input example under the active run;
    `extras` (name -> JSON-able value) travel as `<name>.json` extra files. Returns ModelInfo."""
    import mlflow
    import torch

    # Registering prints "Successfully registered model ..." and "Created version ..." to stderr
    # (not logging: no level turns them off); the version is in the returned ModelInfo anyway.
    with (
        prints_to_log(logging.getLogger(__name__)),
        tempfile.TemporaryDirectory(prefix="model-extras-") as folder,
    ):
        common = {
            "name": name,
            "registered_model_name": registered_model_name,
            "input_example": example,
            "extra_files": _write_extras(Path(folder), extras or {}) or None,
        }
        if not isinstance(model, torch.nn.Module):
            signature = mlflow.models.infer_signature(example, model.predict(example))
            return mlflow.lightgbm.log_model(model, signature=signature, **common)
        model.eval()
        with torch.no_grad():
            output = model(torch.from_numpy(example)).numpy()
        return mlflow.pytorch.log_model(
            model,
            signature=tensor_signature(example, output),
            serialization_format="pt2",
            pip_requirements=[f"torch=={torch.__version__.split('+')[0]}"],
            **common,
        )


def download(model_uri: str) -> Path:
    """The model's directory on local disk (MLmodel, data, extra files)."""
    import mlflow

    return Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri))


def flavors(local: Path) -> dict[str, Any]:
    from mlflow.models import Model

    return dict(Model.load(str(local)).flavors)


def load_torch_module(local: Path) -> Any:
    """The exported module of a pt2 archive; a pickled model (model.pth) is refused unread."""
    import mlflow

    conf = flavors(local).get("pytorch")
    if conf is None:
        raise UnsafeModelError("not_torch", f"{local} has no pytorch flavour")
    data = local / conf.get("model_data", "data")
    if not (data / "model.pt2").is_file():
        raise UnsafeModelError(
            "pickled_model", f"{local.name}: saved with pickle by older code, not loaded"
        )
    with pickle_refused():
        return mlflow.pytorch.load_model(str(local))


def load_booster(local: Path) -> Any:
    """A LightGBM Booster from its text file; a pickled scikit-learn wrapper is refused."""
    import lightgbm as lgb

    conf = flavors(local).get("lightgbm")
    if conf is None:
        raise UnsafeModelError("not_lightgbm", f"{local} has no lightgbm flavour")
    if conf.get("model_class", "lightgbm.basic.Booster") != "lightgbm.basic.Booster":
        raise UnsafeModelError("pickled_model", f"{local.name}: a pickled LightGBM model")
    return lgb.Booster(model_file=str(local / conf["data"]))


def read_extra(local: Path, name: str, default: Any = None) -> Any:
    path = local / EXTRA_DIR / f"{name}.json"
    if not path.is_file():
        return default
    return json.loads(path.read_text(encoding="utf-8"))


@contextmanager
def pickle_refused() -> Iterator[None]:
    """MLflow validates a pt2 archive (every record JSON, text or a weights-only tensor) only
    when pickle is disallowed; its default allows it, so loads run inside this."""
    with _env_lock:
        previous = os.environ.get(_ENV)
        os.environ[_ENV] = "false"
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(_ENV, None)
            else:
                os.environ[_ENV] = previous


def _write_extras(folder: Path, extras: dict[str, Any]) -> list[str]:
    files = []
    for name, value in extras.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
        files.append(str(path))
    return files
