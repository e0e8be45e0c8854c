"""The pages a shopper loads, reported as PageViewed events through the gateway's storefront
route: which kind of page, its path, the product of a product page and the kind of the shop's
page they came from."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from starlette.requests import Request

from storefront.gateway_client import ApiError, GatewayClient

log = logging.getLogger(__name__)

MOUNT = "/shop"
# A path under the mount -> its page kind (contracts.events.PAGE_KINDS); the JSON the pages'
# script fetches (/suggest) and the static files are no pages.
_KINDS = (
    (re.compile(r"^/?$"), "home"),
    (re.compile(r"^/search$"), "search"),
    (re.compile(r"^/products/[^/]+$"), "product"),
    (re.compile(r"^/cart$"), "cart"),
    (re.compile(r"^/orders$"), "orders"),
    (re.compile(r"^/sign-in$"), "sign_in"),
    (re.compile(r"^/sign-up$"), "sign_up"),
    (re.compile(r"^/seller(/.*)?$"), "seller"),
)


def page_kind(path: str) -> str | None:
    """The kind of the shop's page at `path` (with or without the mount); None for anything
    else."""
    inside = path.removeprefix(MOUNT) if path.startswith(MOUNT) else None
    if inside is None:
        return None
    return next((kind for pattern, kind in _KINDS if pattern.match(inside)), None)


def _referrer_page(request: Request) -> str | None:
    """The kind of page the shopper came from, when it was one of this shop's."""
    came_from = urlsplit(request.headers.get("referer", ""))
    if came_from.netloc != request.url.netloc:
        return None
    return page_kind(came_from.path)


async def record_page_view(request: Request, api: GatewayClient) -> None:
    """Reports the page just rendered, before it is sent, for `api`'s session. A page view that
    fails to record is logged, never shown: the shopper has their page either way."""
    path = request.url.path
    page = page_kind(path)
    if page is None:
        return
    body = {
        "session_id": api.session.session_id,
        "page": page,
        "path": path,
        "product_id": request.path_params.get("product_id") if page == "product" else None,
        "referrer_page": _referrer_page(request),
    }
    try:
        await api.call("POST", "/api/storefront/page-views", json=body)
    except ApiError as error:
        log.warning("page view of %s not recorded: %s %s", path, error.status, error.code)
    except Exception:  # the gateway failed outright: still the shopper's page, not an error page
        log.exception("page view of %s not recorded", path)
