"""HTTP entrypoint for inventory: a seller restocks one of its products."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from transactional.gateway.identity import ActingUser, StoreDep

router = APIRouter(prefix="/api/products", tags=["inventory"])


class Restock(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: int = Field(gt=0, le=1_000_000)


@router.post("/{product_id}/stock")
def restock(product_id: str, body: Restock, user: ActingUser, store: StoreDep) -> Any:
    level = store.inventory.restock(product_id, body.quantity, seller_id=user.user_id)
    return {"product_id": product_id, "stock": level}
