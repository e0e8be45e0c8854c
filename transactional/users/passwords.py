"""Password hashing with argon2id: only the hash is stored; the clear text lives for one call."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from transactional.users.domain import InvalidUser, WeakPassword

MIN_PASSWORD_LENGTH = 12  # OWASP ASVS 2.1.1
MAX_PASSWORD_LENGTH = 1024


def default_hasher() -> PasswordHasher:
    """argon2-cffi's defaults (RFC 9106 low-memory profile); tests pass cheaper parameters."""
    return PasswordHasher()


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 passwords most often found in leaks, as zxcvbn ships them: offline. Loaded at
    the first registration, not when the gateway imports this module (zxcvbn's module holds
    100,000 words of other lists too)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password_rules(
    password: str, name: str = "", email: str = "", field: str = "password"
) -> None:
    """Length, then NIST SP 800-63B's check against known-compromised passwords, and not the
    account's own name or email. `field`: what an error names (the request's field)."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidUser(
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters", field
        )
    if password.lower() in common_passwords():
        raise WeakPassword("this password is one of the most common ones: choose another", field)
    personal = {name.strip().lower(), email.strip().lower(), email.strip().lower().split("@")[0]}
    if password.strip().lower() in personal - {""}:
        raise WeakPassword("a password must not be the account's name or email", field)


def password_matches(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
