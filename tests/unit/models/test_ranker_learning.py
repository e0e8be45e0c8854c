"""The position-aware net learns what earns clicks apart from where it was shown."""

from __future__ import annotations

import numpy as np
import pytest

from models.ranker.data import SearchLists
from models.ranker.features import FEATURES
from models.ranker.learn import fit, score_lists


def logged_lists(searches: int, seed: int) -> tuple[SearchLists, np.ndarray]:
    """Lists of 10 whose clicks need examination (k ** -0.8) and relevance, which rises with the
    rating alone; the index score is unrelated to it. Most lists are logged in index order, a
    fifth shuffled. Returns the lists and the true relevance of each row."""
    rng = np.random.default_rng(seed)
    n, column = 10, {name: i for i, name in enumerate(FEATURES)}
    features = np.zeros((searches, n, len(FEATURES)), dtype=np.float32)
    features[..., column["index_score"]] = rng.uniform(1.0, 10.0, (searches, n))
    features[..., column["rating"]] = rng.uniform(1.0, 5.0, (searches, n))
    features[..., column["rating_count"]] = 20.0
    relevance = 1.0 / (1.0 + np.exp(-2.0 * (features[..., column["rating"]] - 3.5)))
    positions = np.zeros((searches, n), dtype=np.float32)
    for i in range(searches):
        order = np.argsort(-features[i, :, column["index_score"]], kind="stable")
        if rng.random() < 0.2:
            order = rng.permutation(n)
        positions[i, order] = np.arange(1, n + 1)
    clicked = (rng.random((searches, n)) < positions**-0.8) & (
        rng.random((searches, n)) < relevance
    )
    labels = clicked.astype(np.float32)
    return SearchLists(features, labels, positions, np.ones((searches, n), bool)), relevance


def test_the_net_ranks_by_what_earns_clicks_not_by_where_they_were_shown():
    train, _ = logged_lists(3000, seed=1)
    net, position_bias = fit(train, epochs=10, seed=3)
    held, relevance = logged_lists(200, seed=2)
    scores = score_lists(net, held)
    rating = held.features[..., FEATURES.index("rating")]
    index_score = held.features[..., FEATURES.index("index_score")]
    by_rating = np.corrcoef(scores.ravel(), rating.ravel())[0, 1]
    by_index = np.corrcoef(scores.ravel(), index_score.ravel())[0, 1]
    assert by_rating > 0.8 and abs(by_index) < 0.2
    assert np.corrcoef(scores.ravel(), relevance.ravel())[0, 1] > 0.8
    # The shown position's effect went into the bias, falling down the list.
    assert position_bias[0] == 0.0 and position_bias[9] < position_bias[2] < 0.0


def test_the_served_net_scores_the_mean_of_its_members():
    import torch

    from models.ranker.learn import HIDDEN, merged
    from models.ranker.model import RankerNet, content_rows, quantile_knots

    train, _ = logged_lists(300, seed=4)
    knots = quantile_knots(content_rows(train.features, train.mask))
    members = []
    for seed in range(3):
        torch.manual_seed(seed)
        members.append(RankerNet(knots, hidden=HIDDEN).eval())
    wide = merged(members, knots)
    assert wide.mlp[0].out_features == 3 * HIDDEN
    mean = np.mean([score_lists(net, train) for net in members], axis=0)
    assert score_lists(wide, train) == pytest.approx(mean, abs=1e-5)
