"""Step lines with wall times, so a long `make up` shows where it is and where the time went."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console


class StepLog:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.console.print(f"[bold cyan]>>[/] {name} ...")
        started = time.perf_counter()
        try:
            yield
        except BaseException:
            self.console.print(
                f"[bold red]!![/] {name} failed after {time.perf_counter() - started:.1f}s"
            )
            raise
        elapsed = time.perf_counter() - started
        self.seconds[name] = round(elapsed, 2)
        self.console.print(f"[bold green]ok[/] {name} ({elapsed:.1f}s)")
