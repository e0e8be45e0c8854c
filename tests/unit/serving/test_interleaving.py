"""Team-draft interleaving: every item once, teams balanced in every prefix, a fair coin."""

import random

import pytest

from serving.search.interleaving import team_draft

CHAMPION = ["a", "b", "c", "d", "e", "f"]
CHALLENGER = ["f", "e", "d", "c", "b", "a"]


@pytest.mark.parametrize("seed", range(20))
def test_every_item_appears_once_and_each_team_places_its_own_best_untaken(seed):
    merged = team_draft(CHAMPION, CHALLENGER, random.Random(seed))
    assert sorted(item for item, _ in merged) == sorted(CHAMPION)
    taken: set[str] = set()
    for item, team in merged:
        order = CHAMPION if team == 0 else CHALLENGER
        assert item == next(i for i in order if i not in taken)
        taken.add(item)


@pytest.mark.parametrize("seed", range(20))
def test_every_prefix_holds_as_many_of_each_team_give_or_take_one(seed):
    merged = team_draft(CHAMPION, CHALLENGER, random.Random(seed))
    for size in range(1, len(merged) + 1):
        teams = [team for _, team in merged[:size]]
        assert abs(teams.count(0) - teams.count(1)) <= 1


def test_the_first_pick_is_a_fair_coin():
    rng = random.Random(0)
    first = [team_draft(CHAMPION, CHALLENGER, rng)[0][1] for _ in range(4000)]
    assert 0.46 < sum(first) / len(first) < 0.54


def test_identical_orders_give_the_same_list_with_credit_split():
    merged = team_draft(CHAMPION, CHAMPION, random.Random(3))
    assert [item for item, _ in merged] == CHAMPION
    teams = [team for _, team in merged]
    assert teams.count(0) == teams.count(1) == 3


def test_a_team_with_nothing_left_passes_and_the_other_fills_the_list():
    merged = team_draft(["a"], ["b", "c", "d"], random.Random(1))
    assert sorted(item for item, _ in merged) == ["a", "b", "c", "d"]
    assert [team for item, team in merged if item in "bcd"] == [1, 1, 1]
    assert team_draft([], [], random.Random(1)) == []
