"""Turns the ranking training set into per-search lists, split by time (last day held out)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.errors import TrainingDataError
from models.ranker.features import FEATURES, Similarity, rows_for, shopper_profile

REQUIRED = ["search_id", "position", "label", "index_score", "event_timestamp"]


@dataclass
class SearchLists:
    """Padded per-search arrays: features (s, n, f), labels and positions (s, n), mask (s, n)."""

    features: np.ndarray
    labels: np.ndarray
    positions: np.ndarray
    mask: np.ndarray
    searches: list[tuple[str, str, list[str]]] = field(default_factory=list)  # customer, query, ids

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


PRODUCT_COLUMNS = ["category", "brand", "price", "rating", "stock"]


def candidates_of(records: list[dict], titles: dict[str, str]) -> list[dict]:
    """A logged search's rows as the serving candidates it showed (title from the catalog)."""
    return [
        {
            "product_id": r["product_id"],
            "score": r.get("index_score"),
            "title": titles.get(str(r["product_id"]), ""),
            **{key: _present(r.get(key)) for key in PRODUCT_COLUMNS},
        }
        for r in records
    ]


def _present(value: object) -> object:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _products(value: object) -> list[str]:
    """A point-in-time list column: an array, or NaN/None before the shopper's first activity."""
    if value is None or isinstance(value, (str, float)):
        return []
    return [str(p) for p in value]  # type: ignore[attr-defined]


def catalog_of(frame: pd.DataFrame) -> dict[str, dict[str, object]]:
    """{category, brand} of every product the frame shows (the latest row that knows them): the
    catalog when the caller has none, e.g. gold product_features (models.ranker.catalog)."""
    if frame.empty or "category" not in frame.columns:
        return {}
    known = frame.dropna(subset=["category"]).sort_values("event_timestamp", kind="stable")
    last = known.groupby("product_id").last()
    brands = last["brand"] if "brand" in last.columns else pd.Series(dtype=object)
    return {
        str(p): {"category": c, "brand": _present(brands.get(p))}
        for p, c in last["category"].items()
    }


def feature_matrix(
    frame: pd.DataFrame,
    titles: dict[str, str] | None = None,
    embeddings: Similarity | None = None,
    catalog: dict[str, dict[str, object]] | None = None,
) -> np.ndarray:
    """FEATURES per row of `frame` (rows in frame order), built search by search through the same
    `rows_for` serving calls, from the point-in-time Feast values of each row: the shopper's
    recent products as of the search, their categories and brands from `catalog`."""
    matrix = np.zeros((len(frame), len(FEATURES)), dtype=np.float32)
    if frame.empty:
        return matrix
    catalog = catalog if catalog is not None else catalog_of(frame)
    records = frame.reset_index(drop=True).to_dict("records")
    for rows in frame.reset_index(drop=True).groupby("search_id", sort=False).indices.values():
        search = [records[i] for i in rows]
        first = search[0]
        built = rows_for(
            candidates_of(search, titles or {}),
            {str(r["product_id"]): r for r in search},
            shopper_profile(_products(first.get("recent_products")), catalog),
            query=str(first.get("query") or ""),
            embeddings=embeddings,
        )
        matrix[rows] = [[row[name] for name in FEATURES] for row in built]
    return matrix


def search_lists(
    frame: pd.DataFrame,
    titles: dict[str, str] | None = None,
    embeddings: Similarity | None = None,
    catalog: dict[str, dict[str, object]] | None = None,
) -> SearchLists:
    frame = frame.sort_values(["search_id", "position"]).reset_index(drop=True)
    matrix = feature_matrix(frame, titles, embeddings, catalog)
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
    customers, queries = frame["customer_id"].astype(str), frame["query"].astype(str)
    ids = frame["product_id"].astype(str).to_numpy()
    searches = [(customers[g[0]], queries[g[0]], ids[g].tolist()) for g in groups]
    return SearchLists(features, labels, positions, mask, searches)


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
