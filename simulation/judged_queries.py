"""Held-out judged queries for search evaluation: graded relevance from the hidden truth.

Drawn with their own seed, apart from the simulated traffic that training sees. Half are
personalised (a sampled shopper's taste), half shopper-independent (`customer_id` None).
Products absent from `judgments` have grade 0. A judged variant's family is in `families`: a
result list shows a family once (catalog.variants), so the ideal list holds its best variant.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np

from simulation.catalog import ProductSpec
from simulation.queries import choose_intent, write_query
from simulation.relevance import parsed, true_relevance
from simulation.text import MIN_TYPO_LENGTH, within_one_edit
from simulation.truth import load_truth
from storeloop.settings import Settings

JUDGED_QUERIES_FILE = "judged_queries.json"
_SEED_OFFSET = 99  # keeps this stream apart from the simulation's own


@dataclass(frozen=True)
class JudgedQuery:
    query_id: str
    query: str
    customer_id: str | None
    judgments: dict[str, int]  # product_id -> grade 1..3
    families: dict[str, str] = field(default_factory=dict)  # judged variant -> its family

    def grade(self, product_id: str) -> int:
        return self.judgments.get(product_id, 0)


def build_judged_queries(
    settings: Settings, n: int = 300, seed: int | None = None
) -> list[JudgedQuery]:
    """Draws `n` distinct queries with at least one relevant product; saves and returns them."""
    truth = load_truth(settings)
    rng = np.random.default_rng([settings.seed if seed is None else seed, _SEED_OFFSET])
    customers = sorted(truth.shoppers)
    by_term = _inverted_index(truth.products.values())
    judged: list[JudgedQuery] = []
    seen: set[tuple[str, str | None]] = set()
    for _ in range(n * 20):  # bounded: a tiny catalog may not offer n distinct queries
        if len(judged) == n:
            break
        personal = customers and rng.random() < 0.5
        customer_id = customers[int(rng.integers(len(customers)))] if personal else None
        shopper = truth.shoppers[customer_id] if customer_id else None
        query = write_query(choose_intent(shopper, rng), rng)
        if (query, customer_id) in seen:
            continue
        seen.add((query, customer_id))
        candidates = _candidates(query, by_term)
        grades = {
            pid: grade
            for pid in sorted(candidates)
            if (grade := true_relevance(shopper, truth.products[pid], query)) > 0
        }
        if grades:
            families = {p: f for p in grades if (f := truth.products[p].family_id)}
            number = f"jq-{len(judged) + 1:04d}"
            judged.append(JudgedQuery(number, query, customer_id, grades, families))
    _save(settings, judged)
    return judged


def load_judged_queries(settings: Settings) -> list[JudgedQuery]:
    data = json.loads((settings.simulation_dir / JUDGED_QUERIES_FILE).read_text())
    return [JudgedQuery(**row) for row in data["queries"]]


def _save(settings: Settings, judged: list[JudgedQuery]) -> None:
    settings.simulation_dir.mkdir(parents=True, exist_ok=True)
    body = {
        "grades": "0 absent, 1 partial, 2 relevant, 3 relevant and to the shopper's taste",
        "queries": [asdict(j) for j in judged],
    }
    (settings.simulation_dir / JUDGED_QUERIES_FILE).write_text(json.dumps(body, indent=1))


def _inverted_index(products) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    by_term: dict[str, set[str]] = defaultdict(set)
    for product in products:
        spec: ProductSpec = product
        for term in spec.terms:
            by_term[term].add(spec.product_id)
    return by_term


def _candidates(query: str, by_term: dict[str, set[str]]) -> set[str]:
    """Products sharing at least one word (or a one-typo neighbour) with the query: the only
    ones the truth can grade above 0, so the rest need not be scored."""
    found: set[str] = set()
    for word in parsed(query).words:
        for term, products in by_term.items():
            if term == word or (
                len(word) >= MIN_TYPO_LENGTH
                and len(term) >= MIN_TYPO_LENGTH
                and within_one_edit(word, term)
            ):
                found |= products
    return found
