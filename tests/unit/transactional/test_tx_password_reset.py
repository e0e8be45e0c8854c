"""Credential recovery over HTTP (OWASP ASVS 2.5): asking says nothing about who has an account;
the mailed token works once, for a while, only while it is the newest; it sets a password under
the usual rules, revokes every token and is an event; asking is rate limited."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import text

from contracts.events import unknown_keys
from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import (
    CHEAP_HASHER,
    PASSWORD,
    as_user,
    error_of,
    sign_up,
)
from transactional.gateway.app import create_app
from transactional.users.mailer import Message
from transactional.users.sandbox_mailer import SandboxMailer

# The api fixture comes from test_tx_api; pytest needs it imported into this module's namespace.
from tests.unit.transactional.test_tx_api import api  # noqa: F401, E402  isort: skip

NEW_PASSWORD = "a brand new passphrase"


def ask(api, email: str):  # noqa: F811
    return api.post("/api/auth/password-reset", json={"email": email})


def confirm(api, token: str, password: str = NEW_PASSWORD):  # noqa: F811
    return api.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": password}
    )


def mailed_tokens(api, email: str) -> list[str]:  # noqa: F811
    """The tokens the sandbox mail provider delivered to `email`, oldest first."""
    inbox = api.app.state.store.mailer.inbox(email)
    return [re.search(r"^token: (\S+)$", m.text, re.MULTILINE).group(1) for m in inbox]


def log_in(api, email: str, password: str):  # noqa: F811
    return api.post("/api/auth/login", json={"email": email, "password": password})


def test_asking_answers_the_same_for_unknown_addresses(api):  # noqa: F811
    sign_up(api, "Rae", "rae@example.com")
    api.app.state.store.users.register("Sim Shopper", "sim@example.com")  # cannot log in
    known, unknown, simulated = (
        ask(api, email) for email in ("Rae@Example.com", "nobody@example.com", "sim@example.com")
    )
    assert known.status_code == unknown.status_code == simulated.status_code == 202
    assert known.json() == unknown.json() == simulated.json()
    assert len(mailed_tokens(api, "rae@example.com")) == 1
    assert mailed_tokens(api, "nobody@example.com") == mailed_tokens(api, "sim@example.com") == []
    with api.app.state.store.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM password_reset_tokens")).all()
    token = mailed_tokens(api, "rae@example.com")[0]
    assert len(stored) == 1 and token not in stored[0][0]  # a digest, not the token


def test_a_reset_sets_the_password_once_revokes_tokens_and_is_an_event(api, store):  # noqa: F811
    customer, tokens = sign_up(api, "Rae", "rae@example.com")
    ask(api, "rae@example.com")
    [token] = mailed_tokens(api, "rae@example.com")
    assert confirm(api, token).status_code == 204
    assert api.get("/api/users/me", headers=as_user(tokens["access_token"])).status_code == 401
    refreshed = api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    assert log_in(api, "rae@example.com", PASSWORD).status_code == 401
    assert log_in(api, "rae@example.com", NEW_PASSWORD).status_code == 200
    again = confirm(api, token, "yet another passphrase")
    assert again.status_code == 401
    assert (error_of(again)["code"], error_of(again)["field"]) == ("reset_token_used", "token")
    assert log_in(api, "rae@example.com", NEW_PASSWORD).status_code == 200  # unchanged
    with store.engine.connect() as connection:
        payloads = [
            json.loads(p)
            for p in connection.execute(
                text("SELECT payload FROM outbox WHERE type = 'users.PasswordReset.v1'")
            ).scalars()
        ]
    assert [p["customer_id"] for p in payloads] == [customer]
    assert payloads[0]["email"] == "rae@example.com"
    assert unknown_keys("users.PasswordReset.v1", payloads[0]) == []


def test_a_newer_token_replaces_older_ones(api):  # noqa: F811
    sign_up(api, "Rae", "rae@example.com")
    ask(api, "rae@example.com")
    ask(api, "rae@example.com")
    older, newer = mailed_tokens(api, "rae@example.com")
    replaced = confirm(api, older)
    assert replaced.status_code == 401 and error_of(replaced)["code"] == "invalid_reset_token"
    assert confirm(api, newer).status_code == 204


def test_a_token_expires(api, clock):  # noqa: F811
    sign_up(api, "Rae", "rae@example.com")
    ask(api, "rae@example.com")
    [token] = mailed_tokens(api, "rae@example.com")
    clock.advance(timedelta(minutes=30))
    expired = confirm(api, token)
    assert expired.status_code == 410
    assert (error_of(expired)["code"], error_of(expired)["field"]) == (
        "reset_token_expired",
        "token",
    )
    assert log_in(api, "rae@example.com", PASSWORD).status_code == 200


def test_unknown_tokens_and_weak_passwords_are_refused_and_spend_nothing(api):  # noqa: F811
    sign_up(api, "Rae", "rae@example.com")
    unknown = confirm(api, "made-up-token")
    assert unknown.status_code == 401
    assert (error_of(unknown)["code"], error_of(unknown)["field"]) == (
        "invalid_reset_token",
        "token",
    )
    ask(api, "rae@example.com")
    [token] = mailed_tokens(api, "rae@example.com")
    weak = confirm(api, token, "password1234")
    assert weak.status_code == 422
    assert (error_of(weak)["code"], error_of(weak)["field"]) == ("weak_password", "new_password")
    assert "password1234" not in weak.text
    personal = confirm(api, token, "rae@example.com")
    assert personal.status_code == 422 and error_of(personal)["field"] == "new_password"
    assert confirm(api, token).status_code == 204  # the refusals did not spend it


def test_a_locked_account_can_reset_and_then_log_in(api):  # noqa: F811
    sign_up(api, "Rae", "rae@example.com")
    for _ in range(5):
        log_in(api, "rae@example.com", "a wrong guess here")
    assert log_in(api, "rae@example.com", PASSWORD).status_code == 429
    assert ask(api, "rae@example.com").status_code == 202
    [token] = mailed_tokens(api, "rae@example.com")
    assert confirm(api, token).status_code == 204
    assert log_in(api, "rae@example.com", NEW_PASSWORD).status_code == 200


def test_asking_is_limited_per_address_and_per_client(store, tmp_path):
    config = Settings(
        data_dir=tmp_path,
        database_url="sqlite://",
        serving_port=9,
        password_reset_per_account_per_hour=2,
        password_reset_per_client_per_hour=7,
    )
    with TestClient(create_app(config, store=store, hasher=CHEAP_HASHER)) as api:  # noqa: F811
        sign_up(api, "Rae", "rae@example.com")
        answers = {}
        for email in ("rae@example.com", "nobody@example.com"):
            answers[email] = [ask(api, email) for _ in range(3)]
        # An unknown address is limited the same way: a 429 tells nothing either.
        for email, asked in answers.items():
            assert [a.status_code for a in asked] == [202, 202, 429], email
            assert error_of(asked[2])["code"] == "too_many_resets"
            assert "address" in error_of(asked[2])["message"]
            assert int(asked[2].headers["Retry-After"]) > 0
        assert len(mailed_tokens(api, "rae@example.com")) == 2
        # Seven asked from this client by now: its own limit refuses a fresh address too.
        assert ask(api, "fresh@example.com").status_code == 202
        fresh = ask(api, "fresh@example.com")
        assert fresh.status_code == 429 and "client" in error_of(fresh)["message"]


def test_the_sandbox_mail_provider_keeps_messages_in_its_own_file(tmp_path):
    """Like a real provider, it outlives the store process: a reopened sandbox has the mail."""
    path = tmp_path / "sandbox_mail.db"
    first = SandboxMailer(path)
    first.send(Message("ann@example.com", "hello", "token: abc"))
    first.close()
    reopened = SandboxMailer(path)
    assert reopened.inbox("ann@example.com") == [Message("ann@example.com", "hello", "token: abc")]
    assert reopened.inbox("bob@example.com") == []
    reopened.close()
