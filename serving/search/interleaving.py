"""Team-draft interleaving (Radlinski, Kurup and Joachims, CIKM 2008): one result list merged
from two rankers' orders, each item labelled with the team that placed it, so that a shopper's
clicks say which ranker they preferred on the same query at the same moment.

Like captains picking players: the team with fewer picks so far picks next (a coin decides when
they have as many), and it takes its own highest-ranked item not yet on the list. Every prefix
of the list then holds as many items of one team as of the other, give or take one, so position
bias favours neither ranker.

When the teams have as many picks and both would take the same item, the item is placed for
neither: a click on it says nothing about which ranker is better, and crediting it to the coin's
team only adds noise (the zero credit optimized interleaving gives a result both rankers put at
the same place, Radlinski and Craswell, WSDM 2013). Two rankers of one store agree on much of
their head, so most of the clicks on a list would otherwise be coin flips.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)


def team_draft(
    first: Sequence[Item], second: Sequence[Item], rng: random.Random
) -> list[tuple[Item, int | None]]:
    """The merged list as (item, team) pairs, team 0 for `first`, 1 for `second` and None for an
    item both would have picked next; it holds every item of either list once. When one ranker
    has no items left, the other fills the rest (the credit of those picks is still its own)."""
    orders = (list(first), list(second))
    taken: set[Item] = set()
    merged: list[tuple[Item, int | None]] = []
    picks = [0, 0]
    cursors = [0, 0]
    wanted = len(set(orders[0]) | set(orders[1]))
    while len(merged) < wanted:
        if picks[0] == picks[1]:
            agreed = _best_untaken(orders[0], cursors, 0, taken)
            if agreed is not None and agreed == _best_untaken(orders[1], cursors, 1, taken):
                merged.append((agreed, None))
                taken.add(agreed)
                continue
        team = _next_team(picks, rng)
        for candidate in (team, 1 - team):  # a team with nothing left passes its turn
            item = _best_untaken(orders[candidate], cursors, candidate, taken)
            if item is not None:
                merged.append((item, candidate))
                taken.add(item)
                picks[candidate] += 1
                break
    return merged


def _next_team(picks: list[int], rng: random.Random) -> int:
    if picks[0] != picks[1]:
        return 0 if picks[0] < picks[1] else 1
    return 0 if rng.random() < 0.5 else 1


def _best_untaken(
    order: list[Item], cursors: list[int], team: int, taken: set[Item]
) -> Item | None:
    while cursors[team] < len(order) and order[cursors[team]] in taken:
        cursors[team] += 1
    return order[cursors[team]] if cursors[team] < len(order) else None
