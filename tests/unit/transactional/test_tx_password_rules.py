"""Registration refuses a password from the list of the most common leaked ones (zxcvbn's,
shipped with the package, so the check runs offline) and one that is the account's own name or
email: 422 with `weak_password` on the password field."""

from __future__ import annotations

import pytest

from tests.unit.transactional.test_tx_api import PASSWORD, error_of
from transactional.users.passwords import common_passwords

# The api fixture comes from test_tx_api; pytest needs it imported into this module's namespace.
from tests.unit.transactional.test_tx_api import api  # noqa: F401, E402  isort: skip


def register(api, password: str, email: str = "dee.example@x.io"):  # noqa: F811
    body = {"name": "Dee Example Person", "email": email, "password": password}
    return api.post("/api/auth/register", json=body)


@pytest.mark.parametrize(
    "password", ["jamesbond007", "FinalFantasy", "zaq1xsw2cde3", "QWERASDFZXCV"]
)
def test_a_common_password_is_refused(api, password):  # noqa: F811
    assert password.lower() in common_passwords()
    answer = register(api, password)
    assert answer.status_code == 422
    assert error_of(answer)["code"] == "weak_password" and error_of(answer)["field"] == "password"


@pytest.mark.parametrize(
    "password",
    ["dee.example@x.io", "DEE.EXAMPLE@X.IO", "dee example person", "Dee Example Person"],
)
def test_the_account_s_own_name_or_email_is_refused(api, password):  # noqa: F811
    answer = register(api, password)
    assert answer.status_code == 422 and error_of(answer)["code"] == "weak_password"


def test_a_short_password_is_refused(api):  # noqa: F811
    answer = register(api, "eleven-char")
    assert answer.status_code == 422 and error_of(answer)["field"] == "password"


def test_an_uncommon_password_is_taken(api):  # noqa: F811
    assert PASSWORD.lower() not in common_passwords()
    assert register(api, PASSWORD).status_code == 201
    assert len(common_passwords()) == 30_000
