"""Sign-up, sign-in (a guest cart merges into the customer's) and sign-out."""

from __future__ import annotations

from contextlib import suppress

from fastapi import APIRouter, Query
from fastapi.responses import Response

from storefront.gateway_client import ApiError
from storefront.visits import Visit, VisitDep, field_errors

router = APIRouter()

FIELDS = ("name", "email", "password")


def _safe_next(next_url: str) -> str:
    # Only back into the shop: an open redirect would hand the signed-in shopper to anyone.
    return next_url if next_url.startswith("/shop") and "//" not in next_url else "/shop/"


@router.get("/sign-up")
async def sign_up_form(visit: VisitDep, next: str = Query("/shop/", max_length=300)) -> Response:
    return visit.render("sign_up.html", errors={}, values={}, next=_safe_next(next))


@router.post("/sign-up")
async def sign_up(visit: VisitDep) -> Response:
    form = await visit.form()
    values = {name: form.get(name, "") for name in ("name", "email", "role")}
    role = "seller" if values["role"] == "seller" else "customer"
    try:
        await visit.api.call(
            "POST",
            "/api/auth/register",
            json={**values, "role": role, "password": form.get("password", "")},
        )
    except ApiError as error:
        return visit.render(
            "sign_up.html",
            status=error.status,
            errors=field_errors(error, FIELDS),
            values=values,
            next=_safe_next(form.get("next", "")),
        )
    return await _sign_in(visit, values["email"], form.get("password", ""), form.get("next", ""))


@router.get("/sign-in")
async def sign_in_form(visit: VisitDep, next: str = Query("/shop/", max_length=300)) -> Response:
    return visit.render("sign_in.html", errors={}, values={}, next=_safe_next(next))


@router.post("/sign-in")
async def sign_in(visit: VisitDep) -> Response:
    form = await visit.form()
    return await _sign_in(
        visit, form.get("email", ""), form.get("password", ""), form.get("next", "")
    )


async def _sign_in(visit: Visit, email: str, password: str, next_url: str) -> Response:
    try:
        # The guest's cart id goes with the login (X-Cart-Id): the gateway merges it.
        tokens = await visit.api.call(
            "POST", "/api/auth/login", json={"email": email, "password": password}
        )
        visit.session.token = tokens["access_token"]
        me = await visit.api.call("GET", "/api/users/me")
    except ApiError as error:
        visit.session.token = None
        return visit.render(
            "sign_in.html",
            status=error.status,
            errors=field_errors(error, FIELDS),
            values={"email": email},
            next=_safe_next(next_url),
        )
    visit.session.sign_in(
        tokens["access_token"], tokens["refresh_token"], me["user_id"], me["role"], me["name"]
    )
    landing = "/shop/seller" if me["role"] == "seller" else _safe_next(next_url)
    return visit.redirect(landing)


@router.post("/sign-out")
async def sign_out(visit: VisitDep) -> Response:
    await visit.form()
    if visit.session.signed_in:
        # An expired token: signing out of the web session is what matters.
        with suppress(ApiError):
            await visit.api.call("POST", "/api/auth/logout")
    visit.session.sign_out()
    return visit.redirect("/shop/")
