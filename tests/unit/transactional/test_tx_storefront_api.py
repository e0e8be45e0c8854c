"""The storefront's reports over HTTP: what a web or mobile client showed and what was opened.
A token names the shopper, a guest reports without one, and the rules between fields that the
schema cannot state are refused with their code and field."""

from __future__ import annotations

import json
from typing import get_args

from sqlalchemy import select

from contracts import events
from tests.unit.transactional.test_tx_api import api, as_user, error_of, sign_up  # noqa: F401
from transactional.common.outbox import outbox
from transactional.storefront.routes import PageKind


def shown_search(**changes) -> dict:
    results = [
        {"product_id": "p-1", "position": 1, "score": 2.5},
        {"product_id": "p-2", "position": 2, "score": 1.5},
    ]
    return {"session_id": "web-1", "query": "kettle", "ranker": "index", "results": results,
            **changes}  # fmt: skip


def shown_list(**changes) -> dict:
    items = [{"product_id": "p-3", "position": 1, "score": 0.5}]
    shown = {"session_id": "web-1", "surface": "similar", "anchor_product_id": "p-1"}
    return {**shown, "recommender": "popularity", "strategy": "content", "items": items, **changes}


def payloads(store, type_: str) -> list[dict]:
    return [row["payload"] for row in outbox_of(store) if row["type"] == type_]


def outbox_of(store) -> list[dict]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(outbox.c.type, outbox.c.payload)).all()
    return [{"type": t, "payload": json.loads(p)} for t, p in rows]


def test_a_customer_s_search_and_click_name_the_customer(api, store):  # noqa: F811 (the fixture)
    customer, login = sign_up(api, "Cy", "cy@x.io")
    shopper = as_user(login["access_token"])
    recorded = api.post("/api/storefront/searches", json=shown_search(), headers=shopper)
    assert recorded.status_code == 201
    search_id = recorded.json()["search_id"]
    click = {"session_id": "web-1", "product_id": "p-2", "position": 2}
    clicked = api.post(f"/api/storefront/searches/{search_id}/clicks", json=click, headers=shopper)
    assert clicked.status_code == 204
    (search,) = payloads(store, events.SEARCH_PERFORMED)
    assert (search["search_id"], search["customer_id"]) == (search_id, customer)
    assert [r["position"] for r in search["results"]] == [1, 2]
    (click_event,) = payloads(store, events.SEARCH_RESULT_CLICKED)
    assert click_event == {"search_id": search_id, "customer_id": customer, **click}


def test_a_guest_s_recommendation_list_and_click(api, store):  # noqa: F811 (the fixture)
    recorded = api.post("/api/storefront/recommendations", json=shown_list())
    assert recorded.status_code == 201
    list_id = recorded.json()["recommendation_id"]
    click = {"session_id": "web-1", "product_id": "p-3", "position": 1}
    assert (
        api.post(f"/api/storefront/recommendations/{list_id}/clicks", json=click).status_code == 204
    )
    (shown,) = payloads(store, events.RECOMMENDATIONS_SHOWN)
    assert (shown["customer_id"], shown["anchor_product_id"]) == (None, "p-1")
    assert payloads(store, events.RECOMMENDATION_CLICKED)[0]["recommendation_id"] == list_id


def test_inconsistent_reports_are_refused_and_record_nothing(api, store):  # noqa: F811 (the fixture)
    refusals = [
        ("/api/storefront/searches", shown_search(swapped_at=2), "invalid_search", "swapped_at"),
        (
            "/api/storefront/searches",
            shown_search(results=[{"product_id": "p-1", "position": 1, "score": 1.0}] * 2),
            "invalid_search",
            "results.1.position",
        ),
        (
            "/api/storefront/recommendations",
            shown_list(anchor_product_id=None),
            "invalid_recommendations",
            "anchor_product_id",
        ),
        (
            "/api/storefront/recommendations",
            shown_list(items=[{"product_id": "p-3", "position": 1, "score": 0.5, "team": "7"}]),
            "invalid_request",
            "items.0.team",
        ),
    ]
    for path, body, code, field in refusals:
        answer = api.post(path, json=body)
        assert answer.status_code == 422, answer.text
        assert (error_of(answer)["code"], error_of(answer)["field"]) == (code, field)
    listed = api.post("/api/storefront/recommendations", json=shown_list()).json()
    too_far = {"session_id": "web-1", "product_id": "p-3", "position": 2}
    answer = api.post(
        f"/api/storefront/recommendations/{listed['recommendation_id']}/clicks", json=too_far
    )
    assert (answer.status_code, error_of(answer)["field"]) == (422, "position")
    unknown = api.post("/api/storefront/searches/srch-nope/clicks", json=too_far)
    assert (unknown.status_code, error_of(unknown)["code"]) == (404, "search_not_found")
    assert [row["type"] for row in outbox_of(store)] == [events.RECOMMENDATIONS_SHOWN]


def test_a_page_view_names_the_session_the_shopper_and_the_product(api, store):  # noqa: F811
    customer, login = sign_up(api, "Di", "di@x.io")
    viewed = {"session_id": "web-2", "page": "product", "path": "/shop/products/p-1",
              "product_id": "p-1", "referrer_page": "search"}  # fmt: skip
    answer = api.post(
        "/api/storefront/page-views", json=viewed, headers=as_user(login["access_token"])
    )
    assert answer.status_code == 201, answer.text
    guest = api.post(
        "/api/storefront/page-views",
        json={**viewed, "page": "home", "path": "/shop/", "product_id": None},
    )
    assert guest.status_code == 201, guest.text
    shopper, anonymous = payloads(store, events.PAGE_VIEWED)
    assert shopper == {**viewed, "customer_id": customer,
                       "page_view_id": answer.json()["page_view_id"]}  # fmt: skip
    assert (anonymous["customer_id"], anonymous["page"], anonymous["product_id"]) == (
        None, "home", None,
    )  # fmt: skip
    assert events.unknown_keys(events.PAGE_VIEWED, shopper) == []


def test_a_bad_page_view_is_refused_naming_the_field_and_records_nothing(api, store):  # noqa: F811
    home = {"session_id": "web-2", "page": "home", "path": "/shop/"}
    refusals = [
        ({**home, "page": "basement"}, 422, "invalid_request", "page"),
        ({**home, "referrer_page": "elsewhere"}, 422, "invalid_request", "referrer_page"),
        ({**home, "path": "shop"}, 422, "invalid_request", "path"),
        ({**home, "session_id": "a b"}, 422, "invalid_request", "session_id"),
        ({**home, "page": "product"}, 422, "invalid_page_view", "product_id"),
        ({**home, "product_id": "p-1"}, 422, "invalid_page_view", "product_id"),
        ({**home, "colour": "red"}, 422, "invalid_request", "colour"),
    ]
    for body, status, code, field in refusals:
        answer = api.post("/api/storefront/page-views", json=body)
        assert answer.status_code == status, answer.text
        assert (error_of(answer)["code"], error_of(answer)["field"]) == (code, field)
    assert payloads(store, events.PAGE_VIEWED) == []


def test_the_api_names_the_page_kinds_of_the_contract():
    assert get_args(PageKind) == events.PAGE_KINDS
