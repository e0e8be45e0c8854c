"""One page request: the shopper's session, the gateway client acting for them, and the answers
every page shares (a rendered template, a redirect after a form), each carrying the cookie."""

from __future__ import annotations

import hmac
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from storefront.gateway_client import ApiError, GatewayClient
from storefront.page_views import record_page_view
from storefront.session import COOKIE, Session, SessionSigner

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
# The order statuses of the API in a shopper's words: a shipment created is "shipped" to them,
# the carrier's pickup "in transit".
ORDER_STATUS = {
    "pending_payment": "awaiting payment",
    "paid": "paid",
    "fulfilled": "shipped",
    "shipped": "in transit",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "returned": "returned",
    "refunded": "refunded",
}
TEMPLATES.env.filters["order_status"] = lambda status: ORDER_STATUS.get(status, status)
# The carrier's reports in the same words.
SHIPMENT_STATUS = {
    "created": "label created, waiting for the carrier",
    "picked_up": "picked up by the carrier",
    "delivered": "delivered",
}
TEMPLATES.env.filters["shipment_status"] = lambda status: SHIPMENT_STATUS.get(status, status)
# Serving answers prices as JSON numbers, the catalog as decimal text: both shown with cents.
TEMPLATES.env.filters["money"] = lambda amount: f"{Decimal(str(amount)):.2f}"
# Pages load their own stylesheet and script and post forms to themselves, nothing else.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# Crawlers and uptime probes are not shoppers: their visits record no impressions or clicks.
_BOT = re.compile(r"bot|crawl|spider|slurp|monitor|uptime|health|curl|wget|python-", re.I)


class CsrfRefused(Exception):
    """A state-changing form without this session's token."""


class SignInNeeded(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


@dataclass
class Visit:
    request: Request
    session: Session
    api: GatewayClient
    rendered: int | None = None  # the status of the page rendered, if one was
    answer: Response | None = None  # what the page answered, until it is sent

    @property
    def counted(self) -> bool:
        """Whether this visit's impressions and clicks are events: not a bot's."""
        return not _BOT.search(self.request.headers.get("user-agent", "") or "bot")

    @property
    def page_viewed(self) -> bool:
        """Whether a shopper loaded a page: a page rendered for a GET, not an error page, not a
        crawler's and not the browser's speculative prefetch (nobody may ever see it)."""
        headers = self.request.headers
        prefetch = "prefetch" in (headers.get("sec-purpose", "") + headers.get("purpose", ""))
        return (
            self.request.method == "GET" and self.rendered == 200 and self.counted and not prefetch
        )

    @property
    def customer_id(self) -> str | None:
        return self.session.user_id if self.session.role == "customer" else None

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        page = TEMPLATES.TemplateResponse(
            self.request,
            template,
            {"session": self.session, "path": self.request.url.path, **context},
            status_code=status,
        )
        self.rendered = status
        return self._finish(page)

    def data(self, payload: Any) -> JSONResponse:
        """JSON for the pages' script, with the cookie: a call behind it may have renewed it."""
        return self._finish(JSONResponse(payload))

    def redirect(self, url: str) -> RedirectResponse:
        # 303: the browser follows a form's POST with a GET (no resubmission on reload).
        return self._finish(RedirectResponse(url, status_code=303))

    def _finish(self, answer: Response) -> Any:
        self.answer = answer
        answer.headers["Content-Security-Policy"] = PAGE_CSP
        # The gateway's no-referrer, relaxed inside the shop: a page view names the page the
        # shopper came from, and still no address leaves for another site.
        answer.headers["Referrer-Policy"] = "same-origin"
        write_cookie(self.request, answer, self.session)
        return answer

    async def form(self) -> Mapping[str, str]:
        """The posted form, once its CSRF token is this session's."""
        form = await self.request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if not hmac.compare_digest(fields.get("csrf", ""), self.session.csrf):
            raise CsrfRefused()
        return fields

    def require(self, role: str) -> None:
        if self.session.role != role:
            raise SignInNeeded(str(self.request.url.path))


def write_cookie(request: Request, answer: Response, session: Session) -> None:
    signer: SessionSigner = request.app.state.signer
    answer.set_cookie(
        COOKIE,
        signer.dump(session),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/shop",
    )


async def open_visit(request: Request) -> AsyncIterator[Visit]:
    session = request.app.state.signer.load(request.cookies.get(COOKIE))
    client_ip = request.client.host if request.client else "unknown"
    api = GatewayClient(request.app.state.api, client_ip, session, request.app.state.renewals)
    # The error pages and redirects the app's handlers answer write this session's cookie too:
    # it may carry tokens renewed during the request.
    request.state.session = session
    try:
        visit = Visit(request, session, api)
        yield visit
        if visit.page_viewed and visit.answer is not None:
            token = session.token
            await record_page_view(request, api)
            if session.token != token:  # renewed by the page view: the cookie must keep it
                del visit.answer.headers["set-cookie"]
                write_cookie(request, visit.answer, session)
    finally:
        await api.close()


# Scope "function": the page view is recorded before the page is sent, so a token renewed for it
# still reaches the cookie.
VisitDep = Annotated[Visit, Depends(open_visit, scope="function")]


def field_errors(error: ApiError, fields: tuple[str, ...]) -> dict[str, str]:
    """The API's error beside the form field it names; under "form" when it names none shown."""
    field = (error.field or "").split(".")[0]
    return {field if field in fields else "form": error.message}
