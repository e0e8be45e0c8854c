"""What a library prints on its own (Feast's materialize lines, MLflow's registry notices) goes to
a logger instead of the terminal: at INFO normally, so an Airflow task log at INFO keeps it while
`make up` at WARNING does not show it; at WARNING when the call raised, so a failure keeps its
context."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@contextmanager
def prints_to_log(logger: logging.Logger) -> Iterator[None]:
    """Python-level stdout and stderr written inside the block become `logger` lines.

    sys.stdout and sys.stderr are process-wide: another thread's prints during the block are
    logged too. Exceptions propagate unchanged.
    """
    captured = io.StringIO()
    level = logging.INFO
    try:
        with redirect_stdout(captured), redirect_stderr(captured):
            yield
    except BaseException:
        level = logging.WARNING
        raise
    finally:
        for line in ANSI_ESCAPE.sub("", captured.getvalue()).splitlines():
            if line.strip():
                logger.log(level, "%s", line.rstrip())
