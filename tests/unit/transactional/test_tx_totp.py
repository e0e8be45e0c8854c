"""TOTP against the RFCs' own test vectors: RFC 4226 appendix D (HOTP) and RFC 6238 appendix B
(SHA-1, secret "12345678901234567890"), in 8 digits as published and in the 6 the store uses."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from transactional.users import totp

RFC_KEY = b"12345678901234567890"
HOTP_VECTORS = ["755224", "287082", "359152", "969429", "338314",
                "254676", "287922", "162583", "399871", "520489"]  # fmt: skip
TOTP_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("counter", "code"), list(enumerate(HOTP_VECTORS)))
def test_hotp_matches_rfc_4226(counter, code):
    assert totp.hotp(RFC_KEY, counter) == code


@pytest.mark.parametrize(("unix_s", "code"), TOTP_VECTORS)
def test_totp_matches_rfc_6238_in_8_and_6_digits(unix_s, code):
    assert totp.totp(RFC_KEY, unix_s, digits=8) == code
    assert totp.totp(RFC_KEY, unix_s) == code[-6:]  # the same truncation, modulo 10^6


def test_one_step_either_side_counts_and_no_further():
    now = 1_700_000_000.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.hotp(RFC_KEY, step + offset)
        assert totp.matching_step(RFC_KEY, code, now) == step + offset
    for offset in (-2, 2):
        assert totp.matching_step(RFC_KEY, totp.hotp(RFC_KEY, step + offset), now) is None
    assert totp.matching_step(RFC_KEY, "12345", now) is None  # too short: never a match


def test_a_new_secret_round_trips_and_makes_an_otpauth_uri():
    secret = totp.new_secret()
    assert len(totp.secret_bytes(secret)) == 20 and secret != totp.new_secret()
    uri = urlparse(totp.provisioning_uri(secret, "ann@example.com", "storeloop"))
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/storeloop:ann@example.com")
    query = parse_qs(uri.query)
    assert query["secret"] == [secret] and query["issuer"] == ["storeloop"]
    assert (query["digits"], query["period"], query["algorithm"]) == (["6"], ["30"], ["SHA1"])
