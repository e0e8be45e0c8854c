"""NDCG and hit-rate helpers, and the time split that guards training windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.errors import TrainingDataError
from models.metrics import hit_and_ndcg, mean_ndcg, ndcg_at_k
from models.ranker.data import split_by_day


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise():
    labels = np.array([3, 0, 1])
    assert ndcg_at_k(np.array([3.0, 1.0, 2.0]), labels) == pytest.approx(1.0)
    assert ndcg_at_k(np.array([1.0, 3.0, 2.0]), labels) < 1.0
    assert ndcg_at_k(np.array([1.0, 2.0]), np.array([0, 0])) is None
    assert mean_ndcg([(np.array([1.0]), np.array([0]))]) == 0.0


def test_hit_rate_counts_only_the_top_k():
    assert hit_and_ndcg(0) == (1.0, 1.0)
    assert hit_and_ndcg(10) == (0.0, 0.0)
    assert hit_and_ndcg(None) == (0.0, 0.0)


def _examples(days: list[str], labels: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "search_id": [f"s{i}" for i in range(len(days))],
            "position": 1,
            "label": labels,
            "index_score": 1.0,
            "event_timestamp": pd.to_datetime(days, utc=True),
        }
    )


def test_split_holds_out_the_last_day():
    train, held = split_by_day(_examples(["2024-03-01", "2024-03-02", "2024-03-02"], [1, 0, 2]))
    assert list(train.search_id) == ["s0"]
    assert list(held.search_id) == ["s1", "s2"]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (_examples([], []), "empty_window"),
        (_examples(["2024-03-01"], [1]), "window_too_short"),
        (_examples(["2024-03-01", "2024-03-02"], [7, 1]), "corrupt_window"),
        (_examples(["2024-03-01", "2024-03-02"], [0, 0]), "no_positive_labels"),
        (pd.DataFrame({"search_id": ["s"]}), "corrupt_window"),
    ],
)
def test_unusable_windows_stop_with_a_code(frame, code):
    with pytest.raises(TrainingDataError) as error:
        split_by_day(frame)
    assert error.value.code == code
