"""What the pages report of what they showed: each search results page and recommendation list
with its positions and the model that ordered it, and the item a shopper opened from one. The
same storefront events the simulator records, through the gateway's storefront routes."""

from __future__ import annotations

from typing import Any

from storefront.gateway_client import ApiError
from storefront.visits import Visit


async def record_search(visit: Visit, found: dict[str, Any]) -> str:
    keys = ("product_id", "position", "score", "team")
    shown = [{k: row[k] for k in keys if row.get(k) is not None} for row in found["results"]]
    recorded = await visit.api.call(
        "POST",
        "/api/storefront/searches",
        json={
            "session_id": visit.session.session_id,
            "query": found["query"],
            "ranker": found["ranker"],
            "arm": found.get("arm"),
            "swapped_at": found.get("swapped_at"),
            "results": shown,
        },
    )
    return str(recorded["search_id"])


async def record_list(
    visit: Visit, surface: str, anchor_product_id: str | None, answer: dict[str, Any] | None
) -> str | None:
    """Records a recommendation list as shown; its id goes with the clicks and cart adds."""
    if not visit.counted or not answer or not answer.get("items"):
        return None
    items = [
        {"product_id": i["product_id"], "position": i["position"], "score": i.get("score") or 0.0}
        for i in answer["items"]
    ]
    recorded = await visit.api.call(
        "POST",
        "/api/storefront/recommendations",
        json={
            "session_id": visit.session.session_id,
            "surface": surface,
            "anchor_product_id": anchor_product_id,
            "recommender": answer["recommender"],
            "strategy": answer["strategy"],
            "arm": answer.get("arm"),
            "items": items,
        },
    )
    return str(recorded["recommendation_id"])


async def record_click(
    visit: Visit, kind: str, list_id: str, product_id: str, position: int
) -> str | None:
    """The list id when the click is recorded; None for a stale or forged link (the page still
    shows, unattributed)."""
    try:
        await visit.api.call(
            "POST",
            f"/api/storefront/{kind}/{list_id}/clicks",
            json={
                "session_id": visit.session.session_id,
                "product_id": product_id,
                "position": position,
            },
        )
    except ApiError:
        return None
    return list_id
