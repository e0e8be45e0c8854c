"""Where a benchmark leaves its figures: `<data dir>/reports/<name>.json` (the data dir of
`make up`, STORE_DATA_DIR, not a run's scratch), stamped with the machine, the load, the command
and the time, and with the one headline row `make bench-all` shows (`headline()`)."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import machine
from storeloop.settings import Settings

# A benchmark is one client address with many users: the gateway's per-client limits would
# measure themselves. Every benchmark that starts a gateway gives it these, and says so.
GATEWAY_RATE_LIMITS = {
    "STORE_RATE_LIMIT_CAPACITY": str(10**9),
    "STORE_RATE_LIMIT_REFILL_PER_S": str(1e9),
    "STORE_LOGIN_ATTEMPTS_PER_MINUTE": str(10**9),
}
RATE_LIMITS_NOTE = "set for the benchmark's own client: no request may be refused with 429"


class RateLimited(SystemExit):
    """A benchmark met a 429: its figures would measure the limiter, not the store."""


def rate_limits_record() -> dict[str, Any]:
    """What a report says about the limits of the gateway its benchmark started."""
    return {"gateway_env": dict(GATEWAY_RATE_LIMITS), "note": RATE_LIMITS_NOTE}


def refuse_rate_limited(status_counts: Mapping[Any, int], where: str) -> None:
    """Fails loudly on any 429 among the statuses a benchmark counted."""
    refused = sum(n for status, n in status_counts.items() if str(status) == "429")
    if refused:
        raise RateLimited(
            f"{where}: {refused} requests answered 429 (rate limited) although the benchmark "
            "set the gateway's limits for its client: these figures measure the limiter"
        )


def headline(
    metric: str,
    figure: float | None,
    reference: float | None,
    *,
    reference_name: str,
    unit: str = "",
    goal: str | None = None,
    met: bool | None = None,
) -> dict[str, Any]:
    """The benchmark's one row in `make bench-all`'s table: its figure, the reference measured in
    the same run, figure / reference, and the goal it states with whether this run met it."""
    usable = figure is not None and reference and math.isfinite(figure) and math.isfinite(reference)
    return {
        "metric": metric,
        "figure": figure,
        "reference": reference,
        "reference_name": reference_name,
        "unit": unit,
        "ratio": round(figure / reference, 3) if usable else None,  # type: ignore[operator]
        "goal": goal,
        "met": met,
    }


def command_line(argv: list[str] | None = None) -> str:
    """The command as typed: `python -m <module> <args>` for a module run with -m."""
    argv = list(sys.argv if argv is None else argv)
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    program = f"python -m {spec.name}" if spec is not None else f"python {argv[0]}"
    return " ".join([program, *argv[1:]])


def stamped(result: Mapping[str, Any]) -> dict[str, Any]:
    """The result with machine, load average, command and UTC time added where absent."""
    out = dict(result)
    out.setdefault("machine", machine())
    out.setdefault("load_average", [round(x, 2) for x in os.getloadavg()])
    out.setdefault("command", command_line())
    out.setdefault("written_at", datetime.now(UTC).isoformat(timespec="seconds"))
    return out


def write_report(name: str, result: Mapping[str, Any], settings: Settings | None = None) -> Path:
    """Writes `reports_dir/<name>.json` and returns its path."""
    folder = (settings or Settings()).reports_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(stamped(result), indent=2, default=str) + "\n")
    print(f"figures in {path}", flush=True)
    return path
