"""One outbox consumer as a process of its own, following the log until SIGTERM or SIGINT:

    .venv/bin/python -m launch.follow lake_writer [--interval-s 0.2]

This is how a store past one machine runs its consumers: each under a process manager that
restarts it when it dies. Each resumes from its checkpoint, so a SIGKILL at any moment loses and
doubles nothing (the chaos benchmark kills them to show it). While the database is away it waits
and tries again instead of exiting.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from launch.consumers import CONSUMERS
from storeloop.settings import Settings

log = logging.getLogger("launch.follow")
RETRY_S = 0.5  # a restarting database is back within seconds; a tight loop would only spam


def follow(name: str, settings: Settings, stop: threading.Event, interval_s: float) -> int:
    """Runs `name` until `stop`; returns the events applied. A failed run (the database gone, a
    file locked) opens the consumer afresh: its connections may be dead."""
    applied, consumer = 0, None
    while not stop.is_set():
        try:
            if consumer is None:
                consumer = CONSUMERS[name](settings)
            applied += consumer.run_once()
        except Exception as error:
            log.warning("%s failed, trying again in %.1f s: %r", name, RETRY_S, error)
            _close(consumer)
            consumer = None
            stop.wait(RETRY_S)
            continue
        stop.wait(interval_s)
    _close(consumer)
    return applied


def _close(consumer: Any) -> None:
    close = getattr(consumer, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception as error:  # closing a consumer whose database is gone: nothing to keep
        log.debug("closing failed: %r", error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("consumer", choices=sorted(CONSUMERS))
    parser.add_argument("--interval-s", type=float, default=0.2, help="pause between reads")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings()
    settings.ensure_dirs()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    applied = follow(args.consumer, settings, stop, args.interval_s)
    log.info("%s stopped after %d events", args.consumer, applied)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
