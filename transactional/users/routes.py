"""HTTP entrypoint for users: registration."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from transactional.gateway.identity import StoreDep

router = APIRouter(prefix="/api/users", tags=["users"])


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    # Admins are made by operators, never through the public API.
    role: Literal["customer", "seller"] = "customer"


@router.post("", status_code=201)
def register(body: Registration, store: StoreDep) -> dict[str, str]:
    user_id = store.users.register(body.name, body.email, body.role)
    return {"user_id": user_id, "role": body.role}
