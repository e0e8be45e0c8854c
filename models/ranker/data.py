"""Turns the ranking training set into per-search lists, split by time (last day held out)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.errors import TrainingDataError
from models.ranker.features import FEATURES, feature_row

REQUIRED = ["search_id", "position", "label", "index_score", "event_timestamp"]


@dataclass
class SearchLists:
    """Padded per-search arrays: features (s, n, f), labels and positions (s, n), mask (s, n)."""

    features: np.ndarray
    labels: np.ndarray
    positions: np.ndarray
    mask: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def lists(self, scores: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(scores, labels) per search, padding dropped, for the metrics."""
        return [(scores[i][m], self.labels[i][m]) for i, m in enumerate(self.mask)]

    def logged_lists(self, scores: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(scores, labels, logged positions) per search, for the counterfactual metric."""
        return [
            (scores[i][m], self.labels[i][m], self.positions[i][m]) for i, m in enumerate(self.mask)
        ]


def feature_matrix(frame: pd.DataFrame) -> np.ndarray:
    rows = [feature_row(record) for record in frame.to_dict("records")]
    return np.array([[row[name] for name in FEATURES] for row in rows], dtype=np.float32)


def search_lists(frame: pd.DataFrame) -> SearchLists:
    frame = frame.sort_values(["search_id", "position"])
    matrix = feature_matrix(frame)
    groups = [
        np.asarray(index) for index in frame.groupby("search_id", sort=False).indices.values()
    ]
    width = max(len(g) for g in groups)
    features = np.zeros((len(groups), width, len(FEATURES)), dtype=np.float32)
    labels = np.zeros((len(groups), width), dtype=np.float32)
    positions = np.ones((len(groups), width), dtype=np.float32)
    mask = np.zeros((len(groups), width), dtype=bool)
    label_values = frame["label"].to_numpy(dtype=np.float32)
    position_values = frame["position"].to_numpy(dtype=np.float32)
    for i, rows in enumerate(groups):
        features[i, : len(rows)] = matrix[rows]
        labels[i, : len(rows)] = label_values[rows]
        positions[i, : len(rows)] = position_values[rows]
        mask[i, : len(rows)] = True
    return SearchLists(features, labels, positions, mask)


def split_by_day(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training days and the last day (held out); stops on an empty or unusable window."""
    missing = [column for column in REQUIRED if column not in frame.columns]
    if missing:
        raise TrainingDataError("corrupt_window", f"ranking examples lack columns {missing}")
    if frame.empty:
        raise TrainingDataError("empty_window", "no ranking examples in the training window")
    if frame["label"].isna().any() or not frame["label"].between(0, 3).all():
        raise TrainingDataError("corrupt_window", "labels must be graded 0..3")
    days = pd.to_datetime(frame["event_timestamp"], utc=True).dt.floor("D")
    last_day = days.max()
    train, held_out = frame[days < last_day], frame[days == last_day]
    if train.empty:
        raise TrainingDataError(
            "window_too_short", "need at least two days: one to learn, one held out"
        )
    if not (train["label"] > 0).any() or not (held_out["label"] > 0).any():
        raise TrainingDataError("no_positive_labels", "no clicked result to learn or evaluate from")
    return train, held_out
