"""Query-time text features: shares of query words in title, brand, category; typo tolerant."""

from __future__ import annotations

import pytest

from models.ranker.text import share_found, words


def test_words_fold_plurals_and_drop_search_noise_and_numbers():
    assert words("Cheap Running Shoes under 50") == ("running", "shoe")
    assert words("men's t-shirts") == ("men", "tshirt")  # on both sides alike


@pytest.mark.parametrize(
    ("query", "title", "share"),
    [
        ("running shoes", "Acme Trail Running Shoe", 1.0),
        ("running shoes", "Acme Trail Running Socks", 0.5),
        ("runnign shoes", "Acme Trail Running Shoe", 1.0),  # one swap on a long word
        ("card", "Acme Care Kit", 0.0),  # short words need an exact match
        ("", "anything", 0.0),
        ("shoes", "", 0.0),
    ],
)
def test_share_of_query_words_found(query, title, share):
    assert share_found(query, title) == pytest.approx(share)
