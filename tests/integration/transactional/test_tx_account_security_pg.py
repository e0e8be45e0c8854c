"""Password reset and MFA on PostgreSQL: the conditional updates that make a reset token and a
one-time code good once, and the outbox rows, behave there as on SQLite."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import CHEAP_HASHER, PASSWORD, as_user, turn_on_mfa
from tests.unit.transactional.test_tx_password_reset import ask, confirm, mailed_tokens
from transactional.gateway.app import create_app
from transactional.users import totp

pytestmark = pytest.mark.postgres


def test_reset_tokens_and_codes_are_good_once_on_postgres(pg_store, tmp_path):
    settings = Settings(data_dir=tmp_path, serving_port=9)
    with TestClient(create_app(settings, store=pg_store, hasher=CHEAP_HASHER)) as api:
        api.app.state.auth.register("Rae", "rae@example.com", PASSWORD)
        ask(api, "rae@example.com")
        ask(api, "rae@example.com")
        older, newer = mailed_tokens(api, "rae@example.com")
        assert confirm(api, older).status_code == 401
        assert confirm(api, newer).status_code == 204
        assert confirm(api, newer).json()["error"]["code"] == "reset_token_used"
        with pg_store.engine.connect() as connection:
            resets = connection.execute(
                text("SELECT count(*) FROM outbox WHERE type = 'users.PasswordReset.v1'")
            ).scalar_one()
        assert resets == 1

        api.app.state.auth.register("Al Admin", "al@example.com", PASSWORD, "admin")
        first = api.post("/api/auth/login", json={"email": "al@example.com", "password": PASSWORD})
        before = as_user(first.json()["access_token"])
        assert api.get("/api/orders", headers=before).status_code == 403
        key, tokens = turn_on_mfa(api, "al@example.com", first.json()["access_token"])
        assert api.get("/api/orders", headers=as_user(tokens["access_token"])).status_code == 200
        with pg_store.engine.connect() as connection:
            step = connection.execute(text("SELECT last_used_step FROM user_mfa")).scalar_one()
        spent = totp.hotp(key, step)  # the code the login above was let in with
        body = {"email": "al@example.com", "password": PASSWORD, "otp": spent}
        replayed = api.post("/api/auth/login", json=body)
        assert replayed.status_code == 401 and replayed.json()["error"]["code"] == "invalid_otp"
