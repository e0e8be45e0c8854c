"""Credit, per-search outcomes and the sign test of an interleaving experiment."""

import pytest

from models.interleaving import credit, outcome, sign_test, tally

TEAMS = {1: "5", 2: "3", 3: "5", 4: "3"}  # position -> the version that placed it


def test_clicks_are_credited_to_the_team_that_placed_the_result():
    assert credit(TEAMS, [1, 3, 4]) == {"5": 2, "3": 1}
    assert credit(TEAMS, [2, 2]) == {"3": 1}  # a repeated click on one result counts once
    assert credit(TEAMS, [9]) == {}  # beyond the drafted head: nobody's


def test_outcome_of_one_search_wins_loses_or_ties():
    assert outcome({"5": 2, "3": 1}, challenger="5", champion="3") == "win"
    assert outcome({"5": 1, "3": 2}, challenger="5", champion="3") == "loss"
    assert outcome({"5": 1, "3": 1}, challenger="5", champion="3") == "tie"


def test_sign_test_matches_the_exact_binomial():
    assert sign_test(9, 1) == pytest.approx(22 / 1024)  # 2 * (1 + 10) / 2**10
    assert sign_test(5, 5) == 1.0
    assert sign_test(0, 0) == 1.0
    assert sign_test(60, 40) == pytest.approx(0.0569, abs=1e-4)
    assert sign_test(1, 9) == sign_test(9, 1)
    # past the exact range, the normal approximation agrees with the exact binomial
    assert sign_test(520, 480) == pytest.approx(0.2174, abs=2e-3)
    assert sign_test(1040, 960) == pytest.approx(0.0773, abs=2e-3)


def test_tally_counts_only_searches_of_the_pair_and_credits_orders():
    teams = {
        "s1": {1: "5", 2: "3"},  # challenger's result clicked: a win
        "s2": {1: "3", 2: "5"},  # both clicked: a tie
        "s3": {1: "3", 2: "5"},  # nothing clicked: neither
        "s4": {1: "3", 2: "9"},  # another challenger's experiment
    }
    clicks = {"s1": [1], "s2": [1, 2], "s4": [2]}
    products = {"s1": {"pa": "5", "pb": "3"}, "s2": {"pc": "3", "pd": "5"}}
    orders = {"s1": ["pa"], "s2": ["pc", "pd"]}
    result = tally(teams, clicks, orders, products, champion="3", challenger="5")
    assert (result.searches, result.wins, result.losses, result.ties) == (3, 1, 0, 1)
    assert (result.challenger_clicks, result.champion_clicks) == (2, 1)
    assert (result.challenger_orders, result.champion_orders) == (2, 1)
    assert result.p_value == 1.0 and result.verdict == "inconclusive"


def test_a_significant_majority_decides_the_verdict():
    teams = {f"s{i}": {1: "5", 2: "3"} for i in range(40)}
    clicks = {f"s{i}": [1 if i < 30 else 2] for i in range(40)}
    won = tally(teams, clicks, {}, {}, champion="3", challenger="5")
    assert (won.wins, won.losses) == (30, 10) and won.p_value < 0.05 and won.verdict == "win"
    lost = tally(teams, clicks, {}, {}, champion="5", challenger="3")
    assert lost.verdict == "loss"


def test_with_a_revenue_weight_what_a_team_sold_can_outweigh_a_click():
    teams = {"s1": {1: "5", 2: "3"}}
    clicks = {"s1": [1, 2]}  # one click each
    products = {"s1": {"cheap": "5", "dear": "3"}}
    orders = {"s1": ["dear"]}  # the champion's result was bought
    values = {"s1": {"dear": 1.5}}  # at 1.5 times the list's mean price
    by_clicks = tally(teams, clicks, orders, products, champion="3", challenger="5")
    assert (by_clicks.wins, by_clicks.losses, by_clicks.ties) == (0, 0, 1)
    by_worth = tally(teams, clicks, orders, products, "3", "5", values, revenue_weight=2.0)
    assert (by_worth.wins, by_worth.losses, by_worth.ties) == (0, 1, 0)
    assert (by_worth.champion_value, by_worth.challenger_value) == (1.5, 0.0)
    # an order of a product its list does not price counts as one mean price
    unpriced = tally(teams, clicks, orders, products, "3", "5", {}, revenue_weight=2.0)
    assert unpriced.champion_value == 1.0 and unpriced.losses == 1
