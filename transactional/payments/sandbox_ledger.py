"""The sandbox provider's own ledger: its own SQLite file, apart from the store's database, so it
outlives a crash of the store process and recovery can ask it what really happened."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from transactional.common.money import from_cents
from transactional.payments.domain import DeclineCode, GatewayRecord, PaymentStatus

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_payments (
    reference TEXT PRIMARY KEY,
    gateway_ref TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    captured_cents INTEGER NOT NULL DEFAULT 0,
    refunded_cents INTEGER NOT NULL DEFAULT 0,
    decline_code TEXT
);
CREATE TABLE IF NOT EXISTS sandbox_refunds (
    refund_id TEXT PRIMARY KEY,
    gateway_ref TEXT NOT NULL,
    amount_cents INTEGER NOT NULL
);
"""


class SandboxLedger:
    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One connection behind a lock: the sandbox is one provider, answering one call at a time.
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # Durable across a killed process (what recovery needs); only an OS crash could lose
        # the last commits, and fsync on every call would slow each checkout several-fold.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(_SCHEMA)
        self.lock = threading.RLock()

    def close(self) -> None:
        self._db.close()

    def record(self, reference: str) -> GatewayRecord | None:
        row = self._db.execute(
            "SELECT * FROM sandbox_payments WHERE reference = ?", (reference,)
        ).fetchone()
        return _record(row) if row else None

    def by_gateway_ref(self, gateway_ref: str) -> GatewayRecord | None:
        row = self._db.execute(
            "SELECT * FROM sandbox_payments WHERE gateway_ref = ?", (gateway_ref,)
        ).fetchone()
        return _record(row) if row else None

    def add(self, record: GatewayRecord, amount_cents: int) -> None:
        self._db.execute(
            "INSERT INTO sandbox_payments (reference, gateway_ref, status, amount_cents, currency,"
            " decline_code) VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.reference,
                record.gateway_ref,
                record.status.value,
                amount_cents,
                record.currency,
                record.decline_code.value if record.decline_code else None,
            ),
        )

    def set_status(self, gateway_ref: str, status: PaymentStatus, captured: bool = False) -> None:
        self._db.execute(
            "UPDATE sandbox_payments SET status = ?,"
            " captured_cents = CASE WHEN ? THEN amount_cents ELSE captured_cents END"
            " WHERE gateway_ref = ?",
            (status.value, captured, gateway_ref),
        )

    def refunded_by(self, refund_id: str) -> int | None:
        row = self._db.execute(
            "SELECT amount_cents FROM sandbox_refunds WHERE refund_id = ?", (refund_id,)
        ).fetchone()
        return None if row is None else int(row[0])

    def add_refund(self, refund_id: str, gateway_ref: str, cents: int, fully: bool) -> None:
        with self._db:  # both rows or neither
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT INTO sandbox_refunds VALUES (?, ?, ?)", (refund_id, gateway_ref, cents)
            )
            self._db.execute(
                "UPDATE sandbox_payments SET refunded_cents = refunded_cents + ?,"
                " status = CASE WHEN ? THEN 'refunded' ELSE status END WHERE gateway_ref = ?",
                (cents, fully, gateway_ref),
            )

    def all_records(self) -> list[GatewayRecord]:
        rows = self._db.execute("SELECT * FROM sandbox_payments ORDER BY rowid").fetchall()
        return [_record(row) for row in rows]


def _record(row: sqlite3.Row) -> GatewayRecord:
    return GatewayRecord(
        row["reference"],
        row["gateway_ref"],
        PaymentStatus(row["status"]),
        from_cents(row["amount_cents"]),
        row["currency"],
        from_cents(row["refunded_cents"]),
        DeclineCode(row["decline_code"]) if row["decline_code"] else None,
    )
