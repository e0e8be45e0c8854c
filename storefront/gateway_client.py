"""The gateway's JSON API as the web pages call it: in-process over ASGI, as the browser's own
client address (so the gateway's per-client rate limit sees the shopper, not the web pages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp

from storefront.session import Session

CART_HEADER = "X-Cart-Id"


@dataclass
class ApiError(Exception):
    """An error answer of the gateway: `code` and `field` are its machine-readable parts."""

    status: int
    code: str
    message: str
    field: str | None = None

    @classmethod
    def of(cls, answer: httpx.Response) -> ApiError:
        try:
            error = answer.json()["error"]
            return cls(answer.status_code, error["code"], error["message"], error.get("field"))
        except (ValueError, KeyError, TypeError):
            return cls(answer.status_code, "http_error", answer.text[:200])


class GatewayClient:
    def __init__(self, api: ASGIApp, client_ip: str, session: Session) -> None:
        transport = httpx.ASGITransport(app=api, client=(client_ip, 0))
        # trust_env off: no proxy transports built from the environment for an in-process call.
        self._http = httpx.AsyncClient(
            transport=transport, base_url="http://gateway", trust_env=False
        )
        self.session = session

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The answer's JSON (None for an empty one); raises ApiError for a 4xx or 5xx."""
        sent = dict(headers or {})
        if self.session.token:
            sent["Authorization"] = f"Bearer {self.session.token}"
        elif self.session.cart_id:
            sent[CART_HEADER] = self.session.cart_id
        query = {k: v for k, v in (params or {}).items() if v is not None}
        answer = await self._http.request(method, path, json=json, params=query, headers=sent)
        if answer.status_code >= 400:
            raise ApiError.of(answer)
        if not self.session.token and (cart_id := answer.headers.get(CART_HEADER)):
            self.session.cart_id = cart_id
        return answer.json() if answer.content else None

    async def close(self) -> None:
        await self._http.aclose()
