"""Password guessing at the door: wrong passwords lock an account for a while whoever asks (an
unknown email the same way), a client gets a few login and refresh attempts a minute, and both
refusals are 429 with a Retry-After and a machine-readable code."""

from __future__ import annotations

from fastapi.testclient import TestClient

from storeloop.settings import Settings
from tests.unit.transactional.test_tx_api import CHEAP_HASHER, PASSWORD, error_of, sign_up
from transactional.common.cache import MemoryCache
from transactional.gateway.app import create_app


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def gateway(store, tmp_path, clock: Clock, **limits) -> TestClient:
    config = Settings(data_dir=tmp_path, database_url="sqlite://", serving_port=9, **limits)
    app = create_app(config, store=store, hasher=CHEAP_HASHER, cache=MemoryCache(now=clock))
    app.state.login_guard.now = clock  # the lock's end and the cache's expiry on one clock
    return TestClient(app)


def log_in(api, email: str, password: str):
    return api.post("/api/auth/login", json={"email": email, "password": password})


def test_wrong_passwords_lock_the_account_then_it_opens_again(store, tmp_path):
    clock = Clock()
    with gateway(store, tmp_path, clock, login_failures_before_lock=3, login_lock_s=600) as api:
        sign_up(api, "Dee", "dee@x.io")
        sign_up(api, "Eve", "eve@x.io")
        for _ in range(3):
            assert log_in(api, "dee@x.io", "not-her-password").status_code == 401
        locked = log_in(api, "Dee@X.io", PASSWORD)  # the right password, any spelling
        assert locked.status_code == 429 and error_of(locked)["code"] == "account_locked"
        assert locked.headers["Retry-After"] == "600"
        assert log_in(api, "eve@x.io", PASSWORD).status_code == 200  # only that account
        clock.now += 590
        assert log_in(api, "dee@x.io", PASSWORD).headers["Retry-After"] == "10"
        clock.now += 11
        assert log_in(api, "dee@x.io", PASSWORD).status_code == 200


def test_an_unknown_email_locks_like_a_real_one(store, tmp_path):
    clock = Clock()
    with gateway(store, tmp_path, clock, login_failures_before_lock=2) as api:
        sign_up(api, "Dee", "dee@x.io")
        answers = {}
        for email in ("dee@x.io", "nobody@x.io"):
            for _ in range(2):
                log_in(api, email, "wrong-password")
            answers[email] = log_in(api, email, "wrong-password")
        real, unknown = answers["dee@x.io"], answers["nobody@x.io"]
        assert real.status_code == unknown.status_code == 429
        assert error_of(real)["code"] == error_of(unknown)["code"] == "account_locked"


def test_a_right_password_clears_the_failures(store, tmp_path):
    clock = Clock()
    with gateway(store, tmp_path, clock, login_failures_before_lock=3) as api:
        sign_up(api, "Dee", "dee@x.io")
        for _ in range(2):
            log_in(api, "dee@x.io", "wrong-password")
        assert log_in(api, "dee@x.io", PASSWORD).status_code == 200
        for _ in range(2):
            log_in(api, "dee@x.io", "wrong-password")
        assert log_in(api, "dee@x.io", PASSWORD).status_code == 200


def test_a_client_gets_a_few_attempts_a_minute(store, tmp_path):
    clock = Clock()
    with gateway(store, tmp_path, clock, login_attempts_per_minute=4) as api:
        _, tokens = sign_up(api, "Dee", "dee@x.io")  # one attempt
        refreshed = api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200  # two
        assert log_in(api, "dee@x.io", PASSWORD).status_code == 200  # three
        assert log_in(api, "dee@x.io", "wrong-password").status_code == 401  # four
        refused = log_in(api, "dee@x.io", PASSWORD)
        assert refused.status_code == 429 and error_of(refused)["code"] == "too_many_attempts"
        assert int(refused.headers["Retry-After"]) >= 1
        again = api.post(
            "/api/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]}
        )
        assert again.status_code == 429
        clock.now += 30  # two attempts back at four a minute
        assert log_in(api, "dee@x.io", PASSWORD).status_code == 200
