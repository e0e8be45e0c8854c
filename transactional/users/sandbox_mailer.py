"""The sandbox mail provider: every message lands in its own SQLite file under the data dir, where
a test (or a developer) reads what the account's owner would have received."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from transactional.common.clock import iso
from transactional.users.mailer import Mailer, Message

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_mail (
    message_id INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
"""


class SandboxMailer(Mailer):
    def __init__(
        self, path: Path | str, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        # Every gateway process of one store appends to the same file.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._now = now

    def send(self, message: Message) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO sandbox_mail (recipient, subject, text, sent_at) VALUES (?, ?, ?, ?)",
                (message.to, message.subject, message.text, iso(self._now())),
            )

    def inbox(self, recipient: str) -> list[Message]:
        """What `recipient` received, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT recipient, subject, text FROM sandbox_mail WHERE recipient = ? "
                "ORDER BY message_id",
                (recipient,),
            ).fetchall()
        return [Message(*row) for row in rows]

    def close(self) -> None:
        self._db.close()
