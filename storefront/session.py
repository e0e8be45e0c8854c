"""The shopper's web session: a signed cookie holding the session id (every event names it), the
access token, a guest cart's id and the CSRF token of the forms."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field

COOKIE = "shop_session"
RECENT = 6  # recently viewed products kept: the cookie stays well under 4 KB


def _new_id() -> str:
    return f"web-{secrets.token_hex(12)}"


def _new_csrf() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Session:
    session_id: str = field(default_factory=_new_id)
    csrf: str = field(default_factory=_new_csrf)
    token: str | None = None  # the gateway's access token once signed in
    refresh_token: str | None = None  # spent (and rotated) when the access token expires
    user_id: str | None = None
    role: str | None = None  # "customer" or "seller"
    name: str | None = None
    cart_id: str | None = None  # a guest's cart, merged into the customer's at sign-in
    viewed: list[str] = field(default_factory=list)  # product ids, the latest first

    def saw(self, product_id: str) -> None:
        self.viewed = [product_id, *(p for p in self.viewed if p != product_id)][:RECENT]

    @property
    def signed_in(self) -> bool:
        return self.token is not None

    def sign_in(
        self, token: str, refresh_token: str | None, user_id: str, role: str, name: str
    ) -> None:
        # A new CSRF token at each change of who is acting (login CSRF, session fixation).
        self.token, self.refresh_token = token, refresh_token
        self.user_id, self.role, self.name = user_id, role, name
        self.cart_id, self.csrf = None, _new_csrf()

    def sign_out(self) -> None:
        self.token = self.refresh_token = self.user_id = self.role = self.name = None
        self.cart_id = None
        self.viewed, self.csrf = [], _new_csrf()  # a shared computer shows the next one nothing


class SessionSigner:
    """HMAC-SHA256 over the JSON: a tampered or foreign cookie is a fresh session, never an
    error (the shopper did not write it)."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(f"storefront-session:{secret}".encode()).digest()

    def dump(self, session: Session) -> str:
        body = base64.urlsafe_b64encode(json.dumps(asdict(session)).encode()).decode()
        return f"{body}.{self._mac(body)}"

    def load(self, cookie: str | None) -> Session:
        body, _, mac = (cookie or "").partition(".")
        if not body or not hmac.compare_digest(mac, self._mac(body)):
            return Session()
        try:
            return Session(**json.loads(base64.urlsafe_b64decode(body)))
        except (ValueError, TypeError):
            return Session()

    def _mac(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()
