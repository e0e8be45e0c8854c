"""Users in the shop's terms: who they are and what their role lets them do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from transactional.common.errors import Conflict, Forbidden, Invalid, NotFound
from transactional.common.text import BLANK


class Role(StrEnum):
    CUSTOMER = "customer"
    SELLER = "seller"
    ADMIN = "admin"


class UserErrorCode(StrEnum):
    USER_NOT_FOUND = "user_not_found"
    EMAIL_TAKEN = "email_taken"
    INVALID_USER = "invalid_user"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - an error code
    NOT_A_SELLER = "not_a_seller"


class UserNotFound(NotFound):
    def __init__(self, user_id: str) -> None:
        super().__init__(UserErrorCode.USER_NOT_FOUND, f"no user {user_id!r}", "user_id")


class EmailTaken(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(UserErrorCode.EMAIL_TAKEN, f"{email!r} is already registered", "email")


class InvalidUser(Invalid):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(UserErrorCode.INVALID_USER, message, field)


class WeakPassword(Invalid):
    def __init__(self, message: str, field: str = "password") -> None:
        super().__init__(UserErrorCode.WEAK_PASSWORD, message, field)


class NotASeller(Forbidden):
    def __init__(self, user_id: str) -> None:
        super().__init__(UserErrorCode.NOT_A_SELLER, f"{user_id!r} is not a seller", "user_id")


# The API schema states this rule too: no blank or control character anywhere in an address.
EMAIL_PATTERN = rf"^[^@{BLANK}]+@[^@{BLANK}]+\.[^@{BLANK}]+$"
EMAIL = re.compile(EMAIL_PATTERN)


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    email: str
    role: Role
    registered_at: datetime
    # A second factor is on: every token of the account was issued after a one-time code.
    mfa_enabled: bool = False

    @property
    def needs_mfa(self) -> bool:
        """Administrators must have MFA on before they may act as administrators."""
        return self.role is Role.ADMIN and not self.mfa_enabled

    @property
    def can_sell(self) -> bool:
        return self.role in (Role.SELLER, Role.ADMIN)

    @property
    def seller_scope(self) -> str | None:
        """Whose listings this user may change: its own, or any (None) for an admin, who
        moderates the marketplace."""
        return None if self.role is Role.ADMIN else self.user_id

    def ensure_seller(self) -> None:
        if not self.can_sell:
            raise NotASeller(self.user_id)


def parse_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidUser(f"role must be one of {[r.value for r in Role]}", "role") from None


def normalise_registration(name: str, email: str) -> tuple[str, str]:
    """Emails compare case-insensitively, so they are stored lower-cased."""
    name, email = name.strip(), email.strip().lower()
    if not name:
        raise InvalidUser("name must not be empty", "name")
    if not EMAIL.match(email):
        raise InvalidUser(f"{email!r} is not an email address", "email")
    return name, email
