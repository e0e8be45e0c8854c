"""Team-draft interleaving: every item once, teams balanced in every prefix, a fair coin, and
no credit for what both rankers would have placed next."""

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
        orders = [CHAMPION, CHALLENGER] if team is None else [(CHAMPION, CHALLENGER)[team]]
        for order in orders:
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


def test_identical_orders_give_the_same_list_credited_to_neither():
    merged = team_draft(CHAMPION, CHAMPION, random.Random(3))
    assert merged == [(item, None) for item in CHAMPION]


@pytest.mark.parametrize("seed", range(20))
def test_an_agreed_head_is_neutral_and_the_draft_starts_where_the_rankers_part(seed):
    merged = team_draft(["a", "b", "c", "d"], ["a", "b", "d", "c"], random.Random(seed))
    assert merged[:2] == [("a", None), ("b", None)]
    first = merged[2][1]
    assert first is not None
    assert merged[2:] == [(("c", "d")[first], first), (("d", "c")[first], 1 - first)]


def test_a_team_that_owes_a_pick_takes_its_best_even_where_both_would():
    # Whoever drew first, the other team then owes a pick and takes its top item, which is also
    # the first team's next: that pick is still credited; "c" comes on level terms, to neither.
    for seed in range(20):
        merged = team_draft(["a", "b", "c"], ["b", "a", "c"], random.Random(seed))
        assert sorted(merged, key=str) == [("a", 0), ("b", 1), ("c", None)]
