"""Users and storefront behaviour events."""

from __future__ import annotations

import pytest

from contracts import events
from transactional.storefront.domain import InvalidSearch, SearchNotFound
from transactional.users.domain import EmailTaken, InvalidUser, UserErrorCode, UserNotFound


def test_register_numbers_ids_by_role_and_logs_the_user(store, outbox_rows):
    assert store.users.register("Ann", "Ann@Example.com") == "c-000001"
    assert store.users.register("Sam", "sam@example.com", "seller") == "s-000001"
    assert store.users.register("Bob", "bob@example.com") == "c-000002"
    payload = outbox_rows(store)[0]["payload"]
    assert payload == {
        "customer_id": "c-000001",
        "name": "Ann",
        "email": "ann@example.com",
        "role": "customer",
        "registered_at": "2024-03-01T09:00:00+00:00",
    }


def test_register_refuses_bad_or_taken_details(store):
    store.users.register("Ann", "ann@example.com")
    with pytest.raises(EmailTaken):
        store.users.register("Ann again", "ANN@example.com")
    with pytest.raises(InvalidUser) as caught:
        store.users.register("Ann", "not-an-email")
    assert (caught.value.code, caught.value.field) == (UserErrorCode.INVALID_USER, "email")
    with pytest.raises(InvalidUser):
        store.users.register("Ann", "a@b.co", role="pirate")
    with pytest.raises(UserNotFound):
        store.users.get("c-999999")


RESULTS = [
    {"product_id": "p-000002", "position": 1, "score": 3.5},
    {"product_id": "p-000001", "position": 2, "score": 2},
]


def test_search_and_click_are_logged(store, customer, outbox_rows):
    search_id = store.storefront.record_search(
        "sess-1", customer, "trail shoe", RESULTS, "index", "control"
    )
    store.storefront.record_click(search_id, "sess-1", customer, "p-000001", 2)
    performed, clicked = outbox_rows(store)[-2:]
    assert search_id.startswith("srch-")
    assert (performed["type"], performed["aggregate_id"]) == (events.SEARCH_PERFORMED, search_id)
    assert performed["payload"] == {
        "search_id": search_id,
        "session_id": "sess-1",
        "customer_id": customer,
        "query": "trail shoe",
        "ranker": "index",
        "arm": "control",
        "swapped_at": None,
        "results": [{**RESULTS[0]}, {**RESULTS[1], "score": 2.0}],
    }
    assert clicked["type"] == events.SEARCH_RESULT_CLICKED
    assert clicked["payload"] == {
        "search_id": search_id,
        "session_id": "sess-1",
        "customer_id": customer,
        "product_id": "p-000001",
        "position": 2,
    }


def test_an_interleaved_search_logs_the_team_of_each_result(store, customer, outbox_rows):
    drafted = [{**RESULTS[0], "team": "5"}, {**RESULTS[1], "team": "3"}]
    store.storefront.record_search("sess-1", customer, "trail shoe", drafted, "interleaving")
    payload = outbox_rows(store)[-1]["payload"]
    assert payload["ranker"] == "interleaving"
    assert [r["team"] for r in payload["results"]] == ["5", "3"]
    assert events.unknown_keys(events.SEARCH_PERFORMED, payload) == []
    with pytest.raises(InvalidSearch) as caught:
        store.storefront.record_search("s", None, "q", [{**RESULTS[0], "team": ""}], "x")
    assert caught.value.field == "results.0.team"
    with pytest.raises(InvalidSearch) as caught:
        store.storefront.record_search("s", None, "q", RESULTS, "index", "treatment")
    assert caught.value.field == "arm"


def test_a_randomised_swap_is_logged_and_must_name_a_pair_of_results(store, outbox_rows):
    store.storefront.record_search("s", None, "q", RESULTS, "index", None, 1)
    payload = outbox_rows(store)[-1]["payload"]
    assert payload["swapped_at"] == 1
    assert events.unknown_keys(events.SEARCH_PERFORMED, payload) == []
    before = len(outbox_rows(store))
    for bad in (2, 0, True, "1"):
        with pytest.raises(InvalidSearch) as caught:
            store.storefront.record_search("s", None, "q", RESULTS, "index", None, bad)
        assert caught.value.field == "swapped_at"
    assert len(outbox_rows(store)) == before  # nothing half-written


def test_anonymous_search_with_no_results_is_fine(store, outbox_rows):
    search_id = store.storefront.record_search("sess-2", None, "zzz", [], "index")
    assert outbox_rows(store)[-1]["payload"]["customer_id"] is None
    assert outbox_rows(store)[-1]["payload"]["results"] == []
    assert search_id


def test_bad_results_and_unknown_searches_are_refused(store, outbox_rows):
    with pytest.raises(InvalidSearch) as caught:
        store.storefront.record_search(
            "s", None, "q", [{"product_id": "p-1", "position": 0, "score": 1.0}], "index"
        )
    assert caught.value.field == "results.0.position"
    with pytest.raises(InvalidSearch) as caught:  # the lake keys impressions by position
        store.storefront.record_search("s", None, "q", [RESULTS[0], RESULTS[0]], "index")
    assert caught.value.field == "results.1.position"
    with pytest.raises(SearchNotFound):
        store.storefront.record_click("srch-nope", "s", None, "p-1", 1)
    assert outbox_rows(store) == []
