"""Library prints kept off the terminal become log lines, and never swallow an exception."""

from __future__ import annotations

import logging
import sys

import pytest

from storeloop.library_output import prints_to_log


def test_prints_become_info_lines_without_colour_codes(caplog, capsys):
    logger = logging.getLogger("test.library_output")
    with caplog.at_level(logging.INFO, logger=logger.name), prints_to_log(logger):
        print("\x1b[1m\x1b[32mproduct_features\x1b[0m:")
        print("progress 3/3", file=sys.stderr)
        print()
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, "product_features:"),
        (logging.INFO, "progress 3/3"),
    ]
    assert capsys.readouterr() == ("", "")


def test_an_exception_propagates_and_its_prints_are_warnings(caplog):
    logger = logging.getLogger("test.library_output")
    with (
        caplog.at_level(logging.INFO, logger=logger.name),
        pytest.raises(ValueError, match="registry refused"),
        prints_to_log(logger),
    ):
        print("Registered model 'x' already exists.")
        raise ValueError("registry refused")
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "Registered model 'x' already exists.")
    ]
