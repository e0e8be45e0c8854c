"""The carrier's tracking webhook: verified like the payment provider's, then applied once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from transactional.gateway.identity import StoreDep
from transactional.payments.routes import WEBHOOK_BODY, Signature
from transactional.payments.webhooks import verify

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


@router.post("/shipping", openapi_extra=WEBHOOK_BODY)
async def shipping_webhook(request: Request, store: StoreDep, signature: Signature = None) -> Any:
    body = await request.body()
    event = verify(store.webhook_secrets["shipping"], signature, body, store.clock.now())
    outcome = await run_in_threadpool(store.shipping.apply_webhook, event)
    return {"received": event["id"], "outcome": outcome}
