"""The comparison with published figures: only on the very file they were published on, under
the protocol they used, with the ratio; the headline's goal is the best published line."""

from models.recommender.benchmark import comparison_lines, headline
from models.recommender.published import BEAUTY_SHA256, best_published, published_for


def results(hr: float, ndcg: float) -> dict:
    figures = {"hr_at_10": hr, "ndcg_at_10": ndcg}
    knn = {"hr_at_10": hr / 2, "ndcg_at_10": ndcg / 2}
    return {
        "ours": {"seen_removed": figures, "seen_kept": figures},
        "item_knn": {"seen_removed": knn, "seen_kept": knn},
    }


def test_every_published_line_used_the_seen_removed_protocol():
    lines = published_for(BEAUTY_SHA256)
    assert {line.model for line in lines} == {"ICLRec", "BSARec"}
    assert all(line.protocol == "seen_removed" for line in lines)
    assert best_published(BEAUTY_SHA256).model == "BSARec"  # type: ignore[union-attr]


def test_one_line_per_model_with_its_ratio_to_each_published_figure():
    lines = comparison_lines(results(0.1008, 0.0611), BEAUTY_SHA256)
    assert len(lines) == 2 and all("protocol seen_removed" in line for line in lines)
    assert "vs BSARec 0.1008 / 0.0611: 1.00x / 1.00x" in lines[0]
    assert "vs ICLRec 0.0744 / 0.0403: 0.68x / 0.76x" in lines[1]


def test_the_goal_is_met_only_when_both_hr_and_ndcg_reach_the_best_published():
    assert headline(results(0.1008, 0.0611), BEAUTY_SHA256)["met"] is True
    assert headline(results(0.1100, 0.0600), BEAUTY_SHA256)["met"] is False
    line = headline(results(0.1, 0.06), BEAUTY_SHA256)
    assert line["reference_name"] == "item_knn, same run" and line["ratio"] == 2.0


def test_a_file_nobody_published_on_has_no_comparison_and_no_goal():
    assert "no published figures" in comparison_lines(results(0.1, 0.06), "0" * 64)[0]
    assert headline(results(0.1, 0.06), "0" * 64)["goal"] is None
