"""How a shopper looks at a result list: position-biased examination, clicks from true relevance,
cart decisions from taste and price. Pure functions of a random generator, no store involved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EXAMINATION_DECAY = 0.8  # P(examine position k) = 1 / k**0.8 before any satisfied stop
CLICK_PROBABILITY = (0.02, 0.10, 0.35, 0.65)  # by true relevance grade 0..3
CART_PROBABILITY = (0.0, 0.08, 0.25, 0.45)  # after a click, at indifferent taste
STOP_AFTER_CART = 0.75  # found what they came for
STOP_AFTER_CLICK = 0.15  # the page answered the question, or annoyed them


@dataclass(frozen=True)
class Look:
    index: int  # into the result list; its position is index + 1
    clicked: bool
    added_to_cart: bool


def continue_probability(position: int) -> float:
    """From position k to k+1, so that the marginal chance to reach k is k ** -0.8."""
    return (position / (position + 1)) ** EXAMINATION_DECAY


def cart_probability(grade: int, utility: float) -> float:
    """Rises with relevance and with taste; utility already falls with price for the thrifty."""
    return min(0.95, CART_PROBABILITY[grade] * 2.0 / (1.0 + math.exp(-utility)))


def browse(
    rng: np.random.Generator, grades: Sequence[int], utilities: Sequence[float]
) -> list[Look]:
    """Cascade over the list from the top: examine, maybe click, maybe add to cart, maybe stop."""
    looks: list[Look] = []
    for index, grade in enumerate(grades):
        position = index + 1
        clicked = rng.random() < CLICK_PROBABILITY[grade]
        added = clicked and rng.random() < cart_probability(grade, utilities[index])
        looks.append(Look(index, clicked, added))
        if added and rng.random() < STOP_AFTER_CART:
            break
        if clicked and not added and rng.random() < STOP_AFTER_CLICK:
            break
        if rng.random() >= continue_probability(position):
            break
    return looks


def expected_adds(grades: Sequence[int], utilities: Sequence[float]) -> list[float]:
    """The chance that `browse` adds each result to the cart, exactly: the same cascade summed
    over its outcomes instead of drawn (a yardstick for what an order is worth, free of the
    noise of one shopper's draws)."""
    chances: list[float] = []
    looking = 1.0  # the chance the shopper examines this position
    for index, grade in enumerate(grades):
        click = CLICK_PROBABILITY[grade]
        cart = cart_probability(grade, utilities[index])
        chances.append(looking * click * cart)
        stays = 1.0 - click * cart * STOP_AFTER_CART - click * (1.0 - cart) * STOP_AFTER_CLICK
        looking *= stays * continue_probability(index + 1)
    return chances
