"""Public sequence files (`user_id item_id item_id ...`, items in time order) and the
leave-one-out split of the published protocol: last item test, second-to-last validation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from models.errors import TrainingDataError


@dataclass(frozen=True)
class SequenceFile:
    """Item ids are the file's positive integers, kept as they are; 0 stays free for padding."""

    name: str
    sha256: str
    users: list[str]
    sequences: list[list[int]]  # one per user, in time order

    @property
    def n_items(self) -> int:
        """The largest item id: every id from 1 to it is ranked (full ranking, no sampling)."""
        return max(max(items) for items in self.sequences)

    @property
    def interactions(self) -> int:
        return sum(len(items) for items in self.sequences)


def read_sequence_file(path: Path) -> SequenceFile:
    """Reads and checks the whole file; a bad line stops with its line number, nothing is kept."""
    path = Path(path)
    if not path.is_file():
        raise TrainingDataError("missing_file", f"{path} is not a file")
    raw = path.read_bytes()
    users: list[str] = []
    sequences: list[list[int]] = []
    seen_users: set[str] = set()
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue  # blank lines carry no user
        user, items = fields[0], fields[1:]
        if not items:
            raise TrainingDataError(
                "malformed_line", f"{path.name}:{number}: user {user} has no items"
            )
        if not all(item.isdigit() and int(item) > 0 for item in items):
            bad = next(i for i in items if not (i.isdigit() and int(i) > 0))
            raise TrainingDataError(
                "malformed_line", f"{path.name}:{number}: item id {bad!r} is not a positive integer"
            )
        if user in seen_users:
            raise TrainingDataError("malformed_line", f"{path.name}:{number}: user {user} repeats")
        seen_users.add(user)
        users.append(user)
        sequences.append([int(item) for item in items])
    if not sequences:
        raise TrainingDataError("empty_file", f"{path} has no user lines")
    if not any(len(items) >= 2 for items in sequences):
        raise TrainingDataError(
            "window_too_short", f"{path}: no user has two items to hold one out"
        )
    return SequenceFile(path.stem, hashlib.sha256(raw).hexdigest(), users, sequences)


@dataclass(frozen=True)
class Split:
    """One leave-one-out stage: each case predicts `targets[i]` from `histories[i]`."""

    histories: list[list[int]]
    targets: list[int]


@dataclass(frozen=True)
class LeaveOneOut:
    """`train` sequences stop before the validation item; `validation` predicts the
    second-to-last item from the rest; `test` predicts the last item from everything before it
    (so the validation item is part of the test input)."""

    train: list[list[int]]
    validation: Split
    test: Split


def leave_one_out(sequences: list[list[int]]) -> LeaveOneOut:
    """Users with one item only train; with two, they are tested but not validated."""
    train, validation, test = [], Split([], []), Split([], [])
    for items in sequences:
        if len(items) >= 2:
            test.histories.append(items[:-1])
            test.targets.append(items[-1])
        if len(items) >= 3:
            validation.histories.append(items[:-2])
            validation.targets.append(items[-2])
        train.append(items[:-2] if len(items) >= 3 else items[:-1] if len(items) == 2 else items)
    return LeaveOneOut(train, validation, test)
