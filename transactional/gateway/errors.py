"""The one error format, `{"error": {"code", "message", "field", "request_id"}}`; errors map to
HTTP here only, and the OpenAPI schema documents it for every 4xx."""

from __future__ import annotations

import logging
from enum import StrEnum

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import exc as db_errors
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from storeloop.request_ids import current_request_id
from storeloop.seller_sales import SalesUnavailable, SellerSalesError
from transactional.common.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    TooMany,
    Unauthenticated,
)

log = logging.getLogger(__name__)


class GatewayErrorCode(StrEnum):
    INVALID_REQUEST = "invalid_request"
    MALFORMED_JSON = "malformed_json"
    UNAUTHENTICATED = "unauthenticated"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    REPEATED_PARAMETER = "repeated_parameter"
    HTTP_ERROR = "http_error"
    SERVING_UNAVAILABLE = "serving_unavailable"
    DATABASE_UNAVAILABLE = "database_unavailable"
    OVERLOADED = "overloaded"
    RATE_LIMITED = "rate_limited"
    INTERNAL_ERROR = "internal_error"


STATUS_OF_KIND: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Conflict, 409),
    (Invalid, 422),
    (Forbidden, 403),
    (Unauthenticated, 401),
    (TooMany, 429),
    (Gone, 410),
]


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None
    request_id: str | None = None


class ErrorResponse(BaseModel):
    """Every 4xx and 5xx body; clients match `error.code`, never the message."""

    error: ErrorDetail


_ERROR_MEANINGS = {
    400: "malformed request (bad JSON, a query parameter given twice)",
    401: "missing, expired, forged or revoked token; wrong credentials or one-time code",
    403: "the acting user may not do this",
    404: "unknown route or id",
    409: "the current state forbids it",
    410: "a one-time token that has expired",
    413: "the request body is larger than the gateway accepts",
    422: "a value breaks a rule; `field` names it",
    429: "rate limited; see the Retry-After header",
    503: "overloaded, or the database or serving is away for a moment; retry after Retry-After",
}
# Given to include_router: the schema shows the one error format instead of FastAPI's own 422.
ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorResponse, "description": meaning}
    for status, meaning in _ERROR_MEANINGS.items()
}


def error_response(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    body = {"code": code, "message": message, "field": field, "request_id": current_request_id()}
    return JSONResponse(status_code=status, content={"error": body})


def _field_path(loc: tuple) -> str | None:
    # ("body", "items", 0, "quantity") -> "items.0.quantity"; the source is implied by the route.
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or None


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = next((s for kind, s in STATUS_OF_KIND if isinstance(error, kind)), 400)
    answer = error_response(status, error.code.value, error.message, error.field)
    if status == 401:
        answer.headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooMany):
        answer.headers["Retry-After"] = str(error.retry_after_s)
    return answer


async def _sales_error(_request: Request, error: Exception) -> JSONResponse:
    # The sales port's errors come from the ground floor (storeloop), not from a context.
    assert isinstance(error, SellerSalesError)
    if isinstance(error, SalesUnavailable):
        answer = error_response(503, error.code.value, error.message)
        answer.headers["Retry-After"] = str(error.retry_after_s)
        return answer
    return error_response(422, error.code.value, error.message, error.field)


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = error.errors()
    first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":
        return error_response(
            400, GatewayErrorCode.MALFORMED_JSON.value, f"malformed JSON: {first['msg']}", "body"
        )
    return error_response(
        422, GatewayErrorCode.INVALID_REQUEST.value, first["msg"], _field_path(tuple(first["loc"]))
    )


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = {
        404: GatewayErrorCode.NOT_FOUND,
        405: GatewayErrorCode.METHOD_NOT_ALLOWED,
        413: GatewayErrorCode.PAYLOAD_TOO_LARGE,
    }.get(error.status_code, GatewayErrorCode.HTTP_ERROR)
    answer = error_response(error.status_code, code.value, str(error.detail))
    answer.headers.update(error.headers or {})
    if error.status_code == 405:
        # RFC 9110: a 405 lists every method of the resource. Starlette's own header names only
        # the first route on the path, and a path here has one route per method.
        answer.headers["Allow"] = ", ".join(allowed_methods(request))
    return answer


def allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


# A lost connection, a restarting server, an exhausted pool: the database is away, not the request
# wrong. The transaction rolled back, so the client may retry (a checkout with its same key).
DATABASE_AWAY = (db_errors.OperationalError, db_errors.InterfaceError, db_errors.TimeoutError)
DATABASE_RETRY_AFTER_S = 1


async def _database_away(_request: Request, error: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", str(error).splitlines()[0][:300])
    answer = error_response(
        503, GatewayErrorCode.DATABASE_UNAVAILABLE.value, "the database is unavailable; retry"
    )
    answer.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
    return answer


async def _unexpected_error(_request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=error)
    return error_response(500, GatewayErrorCode.INTERNAL_ERROR.value, "internal error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(SellerSalesError, _sales_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for away in DATABASE_AWAY:
        app.add_exception_handler(away, _database_away)
    app.add_exception_handler(Exception, _unexpected_error)
