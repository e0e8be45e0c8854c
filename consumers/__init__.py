"""Event-log consumers: each reads the outbox from its checkpoint, writes idempotently."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storeloop.settings import Settings


def run_all(settings: Settings) -> dict:
    """Runs every consumer to the end of the log; lazy: serving imports consumers.feed."""
    from consumers.run import run_all as _run_all

    return _run_all(settings)
