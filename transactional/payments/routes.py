"""Provider webhooks: the signature and timestamp are checked before anything is read or written;
a forged, unsigned or replayed request gets 401/400 and changes nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from transactional.gateway.identity import StoreDep
from transactional.payments.webhooks import SIGNATURE_HEADER, verify

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])

Signature = Annotated[str | None, Header(alias=SIGNATURE_HEADER)]
# The body is read raw (the signature covers its exact bytes), so the schema is declared here.
WEBHOOK_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["id", "type", "data"],
                    "properties": {
                        "id": {"type": "string"},
                        "type": {"type": "string"},
                        "created": {"type": "integer"},
                        "data": {"type": "object"},
                    },
                }
            }
        },
    }
}


@router.post("/payments", openapi_extra=WEBHOOK_BODY)
async def payment_webhook(request: Request, store: StoreDep, signature: Signature = None) -> Any:
    body = await request.body()
    secret = store.webhook_secrets["payments"]
    event = verify(secret, signature, body, store.clock.now())
    outcome = await run_in_threadpool(store.orders.apply_payment_webhook, event)
    return {"received": event["id"], "outcome": outcome}
