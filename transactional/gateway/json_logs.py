"""Structured logs: one JSON object a line, through the standard logging module (no new package)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

ACCESS_LOGGER = "storeloop.gateway.access"
# Keys a caller passes with `extra={"fields": {...}}`; they land at the top of the JSON object.
FIELDS = "fields"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, FIELDS, {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Points the root logger at stderr in JSON; idempotent. Called by the entry point, never at
    import, so tests and embedding programs keep their own logging setup."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
