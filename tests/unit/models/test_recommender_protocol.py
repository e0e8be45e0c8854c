"""The benchmark protocol: reading sequence files, the leave-one-out split, full-ranking metrics
with ties, and baselines whose answers are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.errors import TrainingDataError
from models.metrics import full_ranking_ranks, hit_rate_and_ndcg
from models.recommender.baselines import ItemKNN, MostPopular
from models.recommender.protocol import (
    NOT_RANKED,
    SEEN_KEPT,
    SEEN_REMOVED,
    evaluate,
    remove_seen,
    target_ranks,
)
from models.recommender.sequence_file import Split, leave_one_out, read_sequence_file


def write(tmp_path, text: str):
    path = tmp_path / "shop.txt"
    path.write_text(text)
    return path


def test_a_file_reads_in_time_order_with_its_hash(tmp_path):
    data = read_sequence_file(write(tmp_path, "1 3 1 2\n2 2 3\n\n3 4\n"))
    assert data.users == ["1", "2", "3"]
    assert data.sequences == [[3, 1, 2], [2, 3], [4]]
    assert (data.n_items, data.interactions) == (4, 6)
    assert len(data.sha256) == 64 and data.name == "shop"


@pytest.mark.parametrize(
    ("text", "code", "where"),
    [
        ("", "empty_file", "no user lines"),
        ("\n  \n", "empty_file", "no user lines"),
        ("1 2 3\n2\n", "malformed_line", "shop.txt:2"),
        ("1 2 x\n", "malformed_line", "'x'"),
        ("1 2 0\n", "malformed_line", "'0'"),
        ("1 2 -3\n", "malformed_line", "'-3'"),
        ("1 2 3\n1 4 5\n", "malformed_line", "repeats"),
        ("1 2\n2 3\n", "window_too_short", "two items"),
    ],
)
def test_bad_files_stop_with_a_code_and_the_line(tmp_path, text, code, where):
    with pytest.raises(TrainingDataError) as error:
        read_sequence_file(write(tmp_path, text))
    assert error.value.code == code
    assert where in str(error.value)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(TrainingDataError) as error:
        read_sequence_file(tmp_path / "nowhere.txt")
    assert error.value.code == "missing_file"


def test_leave_one_out_holds_out_the_last_two_items():
    split = leave_one_out([[1, 2, 3, 4, 5], [6, 7], [8]])
    assert split.train == [[1, 2, 3], [6], [8]]
    assert (split.validation.histories, split.validation.targets) == ([[1, 2, 3]], [4])
    # The test input carries the validation item; a two-item user is tested, not validated.
    assert split.test.histories == [[1, 2, 3, 4], [6]]
    assert split.test.targets == [5, 7]


def test_ties_rank_the_lower_item_id_first():
    scores = np.array([[-np.inf, 3.0, 3.0, 1.0, 3.0]])
    assert full_ranking_ranks(scores, np.array([1])).tolist() == [0]
    assert full_ranking_ranks(scores, np.array([2])).tolist() == [1]
    assert full_ranking_ranks(scores, np.array([4])).tolist() == [2]
    assert full_ranking_ranks(scores, np.array([3])).tolist() == [3]


def test_hit_rate_and_ndcg_from_ranks():
    metrics = hit_rate_and_ndcg(np.array([0, 4, 9, 19, 25]))
    assert metrics["hr_at_5"] == pytest.approx(2 / 5)
    assert metrics["hr_at_10"] == pytest.approx(3 / 5)
    assert metrics["hr_at_20"] == pytest.approx(4 / 5)
    expected = (1.0 + 1 / math.log2(6) + 1 / math.log2(11)) / 5
    assert metrics["ndcg_at_10"] == pytest.approx(expected)


def test_most_popular_on_a_file_worked_out_by_hand(tmp_path):
    # Counted over everything but each user's last item: item 1 x3, item 2 x2, item 3 x1,
    # items 4 and 5 never (they are only last items).
    data = read_sequence_file(write(tmp_path, "a 1 2 4\nb 1 2 5\nc 1 3 2\nd 3 1\n"))
    split = leave_one_out(data.sequences)
    seen = [items[:-1] for items in data.sequences]
    popular = MostPopular(seen, data.n_items)
    assert popular.counts.tolist() == [0, 3, 2, 2, 0, 0]  # item 3: users c and d
    # Targets 4, 5, 2, 1 -> ranks: 4 ties 5 at zero and comes first (3), 5 after it (4),
    # 2 ties 3 at two and comes first (1), 1 is on top (0).
    assert target_ranks(popular, split.test).tolist() == [3, 4, 1, 0]
    metrics = evaluate(popular, split.test)
    assert metrics["hr_at_5"] == 1.0
    expected = (1 / math.log2(5) + 1 / math.log2(6) + 1 / math.log2(3) + 1.0) / 4
    assert metrics["ndcg_at_5"] == pytest.approx(expected)


def test_seen_removed_ranks_as_if_the_history_were_not_in_the_catalog():
    split = Split(histories=[[1, 3]], targets=[2])
    scores = np.array([[0.0, 9.0, 1.0, 8.0]])
    assert target_ranks(lambda h: scores, split, SEEN_KEPT).tolist() == [2]
    assert target_ranks(lambda h: scores, split, SEEN_REMOVED).tolist() == [0]


def test_seen_removed_never_ranks_a_history_item_not_even_a_repeated_target():
    # As in ICLRec's and BSARec's code: the whole history is zeroed, the target with it.
    repeat = Split(histories=[[1, 2]], targets=[2])
    scores = np.array([[0.0, 9.0, 8.0, 1.0]])
    assert target_ranks(lambda h: scores, repeat, SEEN_KEPT).tolist() == [1]
    assert target_ranks(lambda h: scores, repeat, SEEN_REMOVED).tolist() == [NOT_RANKED]
    assert evaluate(lambda h: scores, repeat, SEEN_REMOVED)["hr_at_20"] == 0.0


def test_seen_removed_on_random_scores_matches_deleting_the_history_items():
    rng = np.random.default_rng(5)
    n_items = 30
    histories = [sorted(rng.choice(np.arange(1, n_items + 1), 6, replace=False).tolist())
                 for _ in range(40)]  # fmt: skip
    targets = [int(rng.choice([i for i in range(1, n_items + 1) if i not in h])) for h in histories]
    scores = rng.integers(0, 5, (40, n_items + 1)).astype(np.float32)  # many ties
    found = target_ranks(lambda h: scores, Split(histories, targets), SEEN_REMOVED)
    for row, (history, target) in enumerate(zip(histories, targets, strict=True)):
        kept = [i for i in range(1, n_items + 1) if i not in history]
        order = sorted(kept, key=lambda i: (-scores[row, i], i))  # ties: lower id first
        assert found[row] == order.index(target)
    assert (remove_seen(scores.copy(), histories)[0, histories[0]] == -np.inf).all()


def test_an_unknown_protocol_is_refused():
    with pytest.raises(ValueError, match="unknown protocol"):
        target_ranks(lambda h: np.zeros((1, 3)), Split([[1]], [2]), "filtered")


def test_item_knn_follows_co_occurrence_of_the_last_item():
    sequences = [[1, 2], [1, 2], [3, 4], [3, 4], [1, 2, 5]]
    knn = ItemKNN(sequences, 5)
    scores = knn([[1], [3]])
    assert int(np.argmax(scores[0])) == 2 and int(np.argmax(scores[1])) == 4
    assert scores[0, 1] < scores[0, 2]  # an item is not its own neighbour
