"""Index generations on disk: `<root>/gen-NNNNNN/` folders and a `CURRENT` file naming the live one.

A full reindex builds the next generation beside the live one and publishes it by replacing
`CURRENT` atomically, so a reader sees the old index or the new one, never an empty or partial one.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

CURRENT = "CURRENT"
_GENERATION = re.compile(r"^gen-(\d{6})$")


def generations(root: Path) -> list[Path]:
    if not root.exists():
        return []
    found = [path for path in root.iterdir() if _GENERATION.match(path.name) and path.is_dir()]
    return sorted(found, key=lambda path: path.name)


def current_generation(root: Path) -> Path:
    """The live generation's folder, creating the first one when the root has none."""
    pointer = root / CURRENT
    if not pointer.exists():
        root.mkdir(parents=True, exist_ok=True)
        first = root / "gen-000001"
        first.mkdir(exist_ok=True)
        _write_pointer(root, first.name, replace=False)
    return root / pointer.read_text().strip()


def next_generation(root: Path) -> Path:
    """A new empty folder, numbered after every generation on disk (live, old or abandoned)."""
    current_generation(root)
    latest = max(int(_GENERATION.match(path.name).group(1)) for path in generations(root))  # type: ignore[union-attr]
    fresh = root / f"gen-{latest + 1:06d}"
    fresh.mkdir()
    return fresh


def publish(root: Path, generation: Path, keep: int = 2) -> None:
    """Makes `generation` the live one and removes all but the newest `keep` generations
    (the previous one stays for readers that have not looked at `CURRENT` since)."""
    _write_pointer(root, generation.name, replace=True)
    for old in [path for path in generations(root) if path != generation][: -(keep - 1) or None]:
        shutil.rmtree(old, ignore_errors=True)


def signature(root: Path, generation: Path | None = None) -> tuple[str, int, int]:
    """Changes whenever a commit lands or a new generation is published: two stat calls (a few
    microseconds), so readers may check it on every search; with `generation`, only that one's
    commits count."""
    try:
        name = generation.name if generation else _pointed(root)
        meta = (root / name / "meta.json").stat()
    except FileNotFoundError:
        return ("", 0, 0)
    return (name, meta.st_mtime_ns, meta.st_size)


_POINTED: dict[tuple[str, int, int], str] = {}


def _pointed(root: Path) -> str:
    """CURRENT's content, read again only when the file was replaced (a new inode)."""
    pointer = (root / CURRENT).stat()
    key = (str(root), pointer.st_ino, pointer.st_mtime_ns)
    if key not in _POINTED:
        if len(_POINTED) > 64:
            _POINTED.clear()
        _POINTED[key] = (root / CURRENT).read_text().strip()
    return _POINTED[key]


def _write_pointer(root: Path, name: str, replace: bool) -> None:
    handle, temp = tempfile.mkstemp(dir=root, prefix=".current.")
    with os.fdopen(handle, "w") as stream:
        stream.write(name)
        stream.flush()
        os.fsync(stream.fileno())
    try:
        if replace:
            os.replace(temp, root / CURRENT)
        else:
            # Two processes opening an empty root at once: the first pointer wins, not the last.
            os.link(temp, root / CURRENT)
    except FileExistsError:
        pass
    finally:
        Path(temp).unlink(missing_ok=True)
