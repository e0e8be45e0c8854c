"""The storefront's web app, mounted by the launcher on the gateway at /shop: its pages call the
gateway's JSON API in-process, like any client of it."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from storefront import (
    account_pages,
    browse_pages,
    cart_pages,
    order_pages,
    sales_pages,
    seller_pages,
)
from storefront.gateway_client import ApiError
from storefront.session import COOKIE, Session, SessionSigner
from storefront.token_renewal import Renewals
from storefront.visits import PAGE_CSP, TEMPLATES, CsrfRefused, SignInNeeded, write_cookie

MOUNT = "/shop"


def create_storefront(api: ASGIApp, secret: str) -> FastAPI:
    """`api`: the gateway app its pages call; `secret` signs the session cookie."""
    web = FastAPI(title="storeloop storefront", docs_url=None, redoc_url=None, openapi_url=None)
    web.state.api = api
    web.state.signer = SessionSigner(secret)
    web.state.renewals = Renewals()
    web.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    pages = (browse_pages, cart_pages, order_pages, account_pages, seller_pages, sales_pages)
    for module in pages:
        web.include_router(module.router)

    @web.exception_handler(SignInNeeded)
    async def sign_in_first(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInNeeded)
        answer = RedirectResponse(f"{MOUNT}/sign-in?next={error.next_url}", status_code=303)
        return _keeping_session(request, answer)

    @web.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _error: Exception) -> Response:
        return _error_page(request, 403, "This form has expired. Go back, reload and try again.")

    @web.exception_handler(ApiError)
    async def api_refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        if error.status == 401:
            # An expired or revoked token: sign in again, starting a fresh web session.
            answer = RedirectResponse(f"{MOUNT}/sign-in?next={request.url.path}", 303)
            answer.delete_cookie(COOKIE, path=MOUNT)
            return answer
        return _error_page(request, error.status, error.message)

    return web


def _session(request: Request) -> Session:
    """The request's session as its page left it (tokens maybe renewed), else its cookie's."""
    session = getattr(request.state, "session", None)
    if isinstance(session, Session):
        return session
    signer: SessionSigner = request.app.state.signer
    return signer.load(request.cookies.get(COOKIE))


def _keeping_session(request: Request, answer: Response) -> Response:
    """`answer` with the session's cookie, when a page opened one: tokens renewed before the
    error must reach the browser, or its next request spends a spent refresh token."""
    session = getattr(request.state, "session", None)
    if isinstance(session, Session):
        write_cookie(request, answer, session)
    return answer


def _error_page(request: Request, status: int, message: str) -> Response:
    page = TEMPLATES.TemplateResponse(
        request,
        "error.html",
        {"session": _session(request), "message": message, "path": ""},
        status_code=status,
    )
    page.headers["Content-Security-Policy"] = PAGE_CSP
    return _keeping_session(request, page)
