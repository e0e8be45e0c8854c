"""Password hashing with argon2id: only the hash is stored; the clear text lives for one call."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from transactional.users.domain import InvalidUser

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


def default_hasher() -> PasswordHasher:
    """argon2-cffi's defaults (RFC 9106 low-memory profile); tests pass cheaper parameters."""
    return PasswordHasher()


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidUser(
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters", "password"
        )


def password_matches(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
