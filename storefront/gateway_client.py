"""The gateway's JSON API as the web pages call it: in-process over ASGI, as the browser's own
client address (so the gateway's per-client rate limit sees the shopper, not the web pages). An
access token the gateway calls expired is renewed once with the session's refresh token and the
call made again (storefront.token_renewal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp

from storefront.session import Session
from storefront.token_renewal import Pair, Renewals

CART_HEADER = "X-Cart-Id"
EXPIRED = "token_expired"  # noqa: S105 - the gateway's error code, not a secret


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
    def __init__(
        self, api: ASGIApp, client_ip: str, session: Session, renewals: Renewals | None = None
    ) -> None:
        transport = httpx.ASGITransport(app=api, client=(client_ip, 0))
        # trust_env off: no proxy transports built from the environment for an in-process call.
        self._http = httpx.AsyncClient(
            transport=transport, base_url="http://gateway", trust_env=False
        )
        self.session = session
        self._renewals = renewals or Renewals()

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """The answer's JSON (None for an empty one); raises ApiError for a 4xx or 5xx. An
        expired access token is renewed and the call made once more: the page's cookie must
        then be written after the call (Visit writes it when the page is rendered)."""
        try:
            return await self._call(method, path, json, params, headers)
        except ApiError as error:
            if not (error.code == EXPIRED and self.session.refresh_token):
                raise
            await self._renew(error)
            return await self._call(method, path, json, params, headers)

    async def _renew(self, expired: ApiError) -> None:
        """New tokens into the session (its cookie carries them); the expiry error when the
        refresh token is refused too (expired, revoked, or spent by another process)."""

        async def spend(refresh_token: str) -> Pair:
            answer = await self._http.post(
                "/api/auth/refresh", json={"refresh_token": refresh_token}
            )
            if answer.status_code >= 400:
                raise expired
            tokens = answer.json()
            return tokens["access_token"], tokens["refresh_token"]

        assert self.session.refresh_token is not None
        refresh_token = self.session.refresh_token
        pair = await self._renewals.renew(self.session.session_id, refresh_token, spend)
        self.session.token, self.session.refresh_token = pair

    async def _call(
        self,
        method: str,
        path: str,
        json: Any,
        params: dict[str, Any] | None,
        headers: dict[str, str] | None,
    ) -> Any:
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
