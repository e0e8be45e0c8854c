"""Serving folds the recommender's weight-only steps once at load: the folded module must score
every history exactly as the exported one, and anything it cannot fold is served as exported."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from torch.export import Dim

from models.recommender.bsarec import BSARecConfig
from models.recommender.model import (
    StoreRecommender,
    TitledBSARec,
    TitledSASRec,
    WeightsFolded,
    fold_weights,
    pad,
)
from models.recommender.sasrec import SASRecConfig
from models.recommender.scorers import ContentScorer, CoOccurrenceScorer, item_counts

TRAIN = [[1, 2, 3, 4], [2, 3, 5], [10, 11, 12], [11, 12, 13, 14], [20, 21], [21, 22, 23]]


def exported(kind: str = "sasrec") -> torch.nn.Module:
    """A small store recommender as serving loads it from a pt2 archive (an fx GraphModule)."""
    rng = np.random.default_rng(0)
    titles = rng.normal(size=(31, 384)).astype(np.float32)
    titles[0] = 0.0
    titles[1:] /= np.linalg.norm(titles[1:], axis=1, keepdims=True)
    torch.manual_seed(0)
    shelves = [0] + [1 + i // 10 for i in range(30)]
    if kind == "bsarec":
        network: torch.nn.Module = TitledBSARec(
            30, replace(BSARecConfig(), hidden=16), shelves, titles
        )
    else:
        network = TitledSASRec(30, replace(SASRecConfig(), hidden=16), shelves, titles)
    content = ContentScorer(titles, item_counts(TRAIN, 30), 0.1, 0.5)
    model = StoreRecommender(network, CoOccurrenceScorer.fit(TRAIN, 30), content, (0.5, 0.3, 0.2))
    example = pad([[1, 2, 3], [4, 5]])
    program = torch.export.export(
        model.eval(), (example,), dynamic_shapes=({0: Dim.AUTO, 1: Dim.AUTO},)
    )
    return program.module()


@pytest.mark.parametrize("kind", ["sasrec", "bsarec"])
def test_the_folded_module_scores_every_history_exactly_as_exported(kind):
    module = exported(kind)
    folded = fold_weights(module)
    assert isinstance(folded, WeightsFolded)
    histories = [[1, 2, 3], [11], [21, 22, 1, 2, 3, 4], [5] * 60, [30, 29]]
    with torch.no_grad():
        for batch in ([histories[0]], histories):
            items = pad(batch)
            assert torch.equal(folded(items), module(items))


def title_projections(module: torch.nn.Module) -> int:
    """How many times one call projects the (31, 384) title matrix into item vectors."""
    from torch.profiler import profile

    with torch.no_grad(), profile(record_shapes=True) as run:
        module(pad([[1, 2]]))
    return sum(
        event.count
        for event in run.key_averages(group_by_input_shape=True)
        if event.key == "aten::linear" and [31, 384] in event.input_shapes
    )


@pytest.mark.parametrize("kind", ["sasrec", "bsarec"])
def test_the_item_table_is_computed_once_not_per_call(kind):
    module = exported(kind)
    assert title_projections(module) == 2  # as exported: for the input, then for the scores
    assert title_projections(fold_weights(module)) == 0


def test_a_module_that_is_not_exported_is_served_as_it_is():
    module = CoOccurrenceScorer.fit(TRAIN, 30)
    assert fold_weights(module) is module


def test_a_module_that_fails_on_the_check_history_is_served_as_exported(caplog):
    broken = exported()
    broken.forward = None  # type: ignore[assignment]  # calling it raises
    assert fold_weights(broken) is broken
    assert "not folded" in caplog.text


def test_an_exported_bsarec_scores_each_history_as_the_network_does_on_its_full_window():
    """BSARec reads its padding: whatever length a batch is padded to, the exported module must
    score a history as the network scores it alone (padded to the whole window)."""
    module = exported("bsarec")
    folded = fold_weights(module)
    histories = [[1, 2, 3], [11], [21, 22, 1, 2, 3, 4], [5] * 60]
    with torch.no_grad():
        alone = torch.cat([module(pad([h])) for h in histories])
        together = module(pad(histories))
        assert torch.allclose(alone, together, atol=1e-5)
        assert torch.allclose(folded(pad(histories)), together, atol=1e-5)
