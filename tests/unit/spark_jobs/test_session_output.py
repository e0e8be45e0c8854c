"""The local Spark JVM's own output goes to the data dir's log, not the launcher's terminal."""

from __future__ import annotations

import subprocess
import sys

import pytest

from spark_jobs.session import LOG4J2_CONFIG, driver_log_option, jvm_output_to


def test_the_driver_reads_the_projects_log4j2_file():
    assert LOG4J2_CONFIG.is_file()
    assert driver_log_option() == f"-Dlog4j2.configurationFile={LOG4J2_CONFIG.as_uri()}"
    assert "appender.console.target = SYSTEM_ERR" in LOG4J2_CONFIG.read_text()


def child_writes(text: str) -> None:
    """A child process, as the JVM is one, inherits file descriptors 1 and 2."""
    code = f"import sys; sys.stdout.write({text!r}); sys.stderr.write({text!r})"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_child_started_inside_writes_to_the_log_and_the_terminal_comes_back(tmp_path, capfd):
    log = tmp_path / "reports" / "spark.log"
    with jvm_output_to(log):
        child_writes("WARNING: Using incubator modules\n")
    child_writes("after\n")
    assert log.read_text() == "WARNING: Using incubator modules\n" * 2
    assert capfd.readouterr() == ("after\n", "after\n")


def test_a_failed_start_raises_with_a_note_naming_the_log(tmp_path):
    log = tmp_path / "spark.log"
    with pytest.raises(RuntimeError) as raised, jvm_output_to(log):
        raise RuntimeError("Java gateway process exited before sending its port number")
    assert f"the Spark JVM's output is in {log}" in raised.value.__notes__
