"""The local session's driver carries the project's log4j2 file and binds to the loopback."""

from __future__ import annotations

import pytest

from spark_jobs.session import driver_log_option

pytestmark = pytest.mark.spark


def test_the_local_driver_logs_by_the_projects_file(spark):
    conf = spark.sparkContext.getConf()
    assert driver_log_option() in conf.get("spark.driver.extraJavaOptions")
    assert conf.get("spark.driver.host") in ("127.0.0.1", "localhost")
