"""A second factor over HTTP (OWASP ASVS 4.3.1): TOTP enrolment behind the password, login that
needs the code, codes good once, wrong codes towards the lock, and administrators refused
everything but enrolment until their MFA is on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from tests.unit.transactional.test_tx_api import (
    PASSWORD,
    as_user,
    error_of,
    sign_up,
    turn_on_mfa,
)
from transactional.users import totp

# The api fixture comes from test_tx_api; pytest needs it imported into this module's namespace.
from tests.unit.transactional.test_tx_api import api  # noqa: F401, E402  isort: skip


def log_in(api, email: str, otp: str | None = None):  # noqa: F811
    body = {"email": email, "password": PASSWORD} | ({"otp": otp} if otp else {})
    return api.post("/api/auth/login", json=body)


def now_s(api) -> float:  # noqa: F811
    return api.app.state.store.clock.now().timestamp()


def a_wrong_code(key: bytes, at_s: float) -> str:
    """A code that no step near `at_s` has (a fixed one could be right by chance)."""
    right = {totp.hotp(key, totp.step_at(at_s) + n) for n in range(-2, 3)}
    return next(
        c for c in ("111111", "222222", "333333", "444444", "555555", "666666") if c not in right
    )


def test_login_needs_a_good_code_once_mfa_is_on(api, clock):  # noqa: F811
    _, tokens = sign_up(api, "Mo", "mo@example.com")
    key, _ = turn_on_mfa(api, "mo@example.com", tokens["access_token"])
    assert api.get("/api/users/me", headers=as_user(tokens["access_token"])).status_code == 401
    missing = log_in(api, "mo@example.com")
    assert missing.status_code == 401
    assert (error_of(missing)["code"], error_of(missing)["field"]) == ("mfa_required", "otp")
    assert "access_token" not in missing.text
    wrong = log_in(api, "mo@example.com", a_wrong_code(key, now_s(api)))
    assert wrong.status_code == 401 and error_of(wrong)["code"] == "invalid_otp"
    clock.advance(timedelta(seconds=totp.STEP_S * 2))  # past the step turn_on_mfa spent
    code = totp.totp(key, now_s(api))
    good = log_in(api, "mo@example.com", code)
    assert good.status_code == 200
    me = api.get("/api/users/me", headers=as_user(good.json()["access_token"]))
    assert me.json()["mfa_enabled"] is True
    replayed = log_in(api, "mo@example.com", code)
    assert replayed.status_code == 401 and error_of(replayed)["code"] == "invalid_otp"
    earlier = log_in(api, "mo@example.com", totp.totp(key, now_s(api) - totp.STEP_S))
    assert earlier.status_code == 401  # an older step than the one spent: refused too
    clock.advance(timedelta(seconds=totp.STEP_S))
    assert log_in(api, "mo@example.com", totp.totp(key, now_s(api))).status_code == 200


def test_wrong_codes_lock_the_account_like_wrong_passwords(api):  # noqa: F811
    _, tokens = sign_up(api, "Mo", "mo@example.com")
    key, _ = turn_on_mfa(api, "mo@example.com", tokens["access_token"])
    wrong = a_wrong_code(key, now_s(api))
    answers = [log_in(api, "mo@example.com", wrong) for _ in range(5)]
    assert [a.status_code for a in answers] == [401] * 5
    locked = log_in(api, "mo@example.com", totp.hotp(key, totp.step_at(now_s(api)) + 2))
    assert locked.status_code == 429 and error_of(locked)["code"] == "account_locked"


def test_enrolment_needs_the_password_and_a_code_and_is_an_event(api, store):  # noqa: F811
    customer, tokens = sign_up(api, "Mo", "mo@example.com")
    mine = as_user(tokens["access_token"])
    early = api.post("/api/users/me/mfa/confirm", json={"code": "123456"}, headers=mine)
    assert early.status_code == 409 and error_of(early)["code"] == "mfa_not_started"
    stolen = api.post(
        "/api/users/me/mfa", json={"current_password": "not the password"}, headers=mine
    )
    assert stolen.status_code == 403 and error_of(stolen)["code"] == "wrong_password"
    started = api.post("/api/users/me/mfa", json={"current_password": PASSWORD}, headers=mine)
    assert started.status_code == 201
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/storeloop:mo@example.com?")
    key = totp.secret_bytes(started.json()["secret"])
    wrong_code = a_wrong_code(key, now_s(api))
    wrong = api.post("/api/users/me/mfa/confirm", json={"code": wrong_code}, headers=mine)
    assert wrong.status_code == 422
    assert (error_of(wrong)["code"], error_of(wrong)["field"]) == ("invalid_otp", "code")
    assert log_in(api, "mo@example.com").status_code == 200  # pending: not on yet
    code = totp.totp(key, now_s(api))
    confirmed = api.post("/api/users/me/mfa/confirm", json={"code": code}, headers=mine)
    assert confirmed.status_code == 200
    assert len(set(confirmed.json()["recovery_codes"])) == 10
    assert log_in(api, "mo@example.com", code).status_code == 401  # the confirming code is spent
    with store.engine.connect() as connection:
        enabled = connection.execute(
            text("SELECT aggregate_id FROM outbox WHERE type = 'users.MfaEnabled.v1'")
        ).scalars()
        assert list(enabled) == [customer]
    again = log_in(api, "mo@example.com", totp.totp(key, now_s(api) + totp.STEP_S))
    twice = api.post(
        "/api/users/me/mfa",
        json={"current_password": PASSWORD},
        headers=as_user(again.json()["access_token"]),
    )
    assert twice.status_code == 409 and error_of(twice)["code"] == "mfa_already_enabled"


def test_a_recovery_code_logs_in_once_in_place_of_a_lost_authenticator(api, store):  # noqa: F811
    _, tokens = sign_up(api, "Mo", "mo@example.com")
    mine = as_user(tokens["access_token"])
    started = api.post("/api/users/me/mfa", json={"current_password": PASSWORD}, headers=mine)
    key = totp.secret_bytes(started.json()["secret"])
    confirmed = api.post(
        "/api/users/me/mfa/confirm", json={"code": totp.totp(key, now_s(api))}, headers=mine
    )
    first, second = confirmed.json()["recovery_codes"][:2]
    assert log_in(api, "mo@example.com", first).status_code == 200
    spent = log_in(api, "mo@example.com", first)
    assert spent.status_code == 401 and error_of(spent)["code"] == "invalid_otp"
    made_up = "0" * 5 + "-" + "0" * 5
    assert made_up not in confirmed.json()["recovery_codes"]
    assert log_in(api, "mo@example.com", made_up).status_code == 401
    assert log_in(api, "mo@example.com", second).status_code == 200
    with store.engine.connect() as connection:
        kept = connection.execute(text("SELECT code_hash FROM mfa_recovery_codes")).scalars().all()
    assert len(kept) == 10 and first not in kept  # digests only, never the codes themselves


def test_an_admin_without_mfa_may_only_turn_it_on(api):  # noqa: F811
    api.app.state.auth.register("Ada Admin", "ada@example.com", PASSWORD, "admin")
    tokens = log_in(api, "ada@example.com").json()
    before = as_user(tokens["access_token"])
    refused = api.get("/api/orders", headers=before)
    assert refused.status_code == 403
    assert (error_of(refused)["code"], error_of(refused)["field"]) == ("mfa_required", "otp")
    refund = api.post("/api/orders/o-000001/refund", json={}, headers=before)
    assert refund.status_code == 403 and error_of(refund)["code"] == "mfa_required"
    assert api.get("/api/users/me", headers=before).json()["mfa_enabled"] is False
    _, after = turn_on_mfa(api, "ada@example.com", tokens["access_token"])
    assert api.get("/api/orders", headers=as_user(after["access_token"])).status_code == 200
    # Customers and sellers may go without.
    _, shopper = sign_up(api, "Cy", "cy@example.com")
    assert api.get("/api/orders", headers=as_user(shopper["access_token"])).status_code == 200
