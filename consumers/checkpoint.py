"""A consumer's checkpoint: its last applied position (plus small state) in one JSON file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


class FileCheckpoint:
    """`checkpoint_dir/<name>.json`, replaced atomically: a crash leaves old or new."""

    def __init__(self, checkpoint_dir: Path, name: str) -> None:
        self.path = Path(checkpoint_dir) / f"{name}.json"

    def load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"position": 0}
        return json.loads(self.path.read_text())

    @property
    def position(self) -> int:
        return int(self.load().get("position", 0))

    def save(self, position: int, **state: Any) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"position": int(position), **state}, sort_keys=True)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.stem}.")
        try:
            with os.fdopen(handle, "w") as stream:
                stream.write(body)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
