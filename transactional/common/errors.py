"""Typed domain errors carrying an Enum code; the gateway maps each kind to HTTP exactly once."""

from __future__ import annotations

from enum import Enum


class DomainError(Exception):
    """Base of every error a handler raises on purpose; clients and tests match `code`."""

    def __init__(self, code: Enum, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The id names nothing (or nothing the caller may see)."""


class Conflict(DomainError):
    """Well formed, but the current state forbids it (out of stock, illegal transition)."""


class Invalid(DomainError):
    """A value breaks a domain rule; `field` names it."""


class Gone(DomainError):
    """It existed, but no longer counts (an expired one-time token)."""


class Forbidden(DomainError):
    """The acting user may not do this (not the owner, not a seller)."""


class Unauthenticated(DomainError):
    """No acting user, or one that does not exist."""


class TooMany(DomainError):
    """Too many attempts for now; `retry_after_s` says when to try again."""

    def __init__(self, code: Enum, message: str, retry_after_s: int) -> None:
        super().__init__(code, message)
        self.retry_after_s = retry_after_s
