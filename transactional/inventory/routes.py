"""HTTP entrypoint for inventory: a seller restocks one of its products."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from transactional.gateway.identity import ActingUser, StoreDep
from transactional.gateway.wire_types import WHOLE
from transactional.inventory.domain import MAX_RESTOCK

router = APIRouter(prefix="/api/products", tags=["inventory"])


class Restock(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: Annotated[int, Field(gt=0, le=MAX_RESTOCK), WHOLE]


@router.post("/{product_id}/stock")
def restock(product_id: str, body: Restock, user: ActingUser, store: StoreDep) -> Any:
    level = store.inventory.restock(product_id, body.quantity, seller_id=user.seller_scope)
    return {"product_id": product_id, "stock": level}
