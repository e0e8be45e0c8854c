"""The cluster profile refuses to start with the development secrets, in the launcher and in the
script that starts the servers (which then starts nothing)."""

from __future__ import annotations

import importlib
import os
import subprocess
import time

import pytest

from launch.cluster import ClusterError, refuse_development_secrets, serve_config, wait_healthy
from storeloop.settings import REPO_ROOT, Settings

PG = "postgresql+psycopg://storeloop:{}@127.0.0.1:55442/store"


def cluster_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "profile": "cluster",
        "jwt_secret": "a-secret-of-our-own",
        "payment_webhook_secret": "payments-of-our-own",
        "shipping_webhook_secret": "shipping-of-our-own",
        "analytics_secret": "analytics-of-our-own",
        "database_url": PG.format("a-password-of-our-own"),
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def test_a_cluster_with_secrets_of_its_own_is_accepted():
    refuse_development_secrets(cluster_settings())


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"jwt_secret": Settings().jwt_secret}, "STORE_JWT_SECRET"),
        ({"payment_webhook_secret": Settings().payment_webhook_secret}, "PAYMENT_WEBHOOK"),
        ({"shipping_webhook_secret": Settings().shipping_webhook_secret}, "SHIPPING_WEBHOOK"),
        ({"analytics_secret": Settings().analytics_secret}, "STORE_ANALYTICS_SECRET"),
        ({"database_url": PG.format("storeloop")}, "DATABASE_URL's password"),
        ({"database_url": None}, "PostgreSQL"),
        ({"database_url": "sqlite:////tmp/store.db"}, "PostgreSQL"),
    ],
)
def test_development_secrets_or_an_embedded_store_are_refused(overrides, named):
    with pytest.raises(ClusterError, match=named):
        refuse_development_secrets(cluster_settings(**overrides))


def test_the_gateway_itself_refuses_to_start_on_a_development_secret(tmp_path):
    from transactional.gateway.app import create_app

    settings = cluster_settings(
        data_dir=tmp_path, shipping_webhook_secret=Settings().shipping_webhook_secret
    )
    with pytest.raises(RuntimeError, match="STORE_SHIPPING_WEBHOOK_SECRET"):
        create_app(settings)


@pytest.mark.parametrize(
    ("password", "jwt"),
    [("storeloop", "jwt-of-our-own"), ("pw-of-our-own", ""), ("", "jwt-of-our-own")],
)
def test_the_cluster_script_refuses_development_secrets_and_starts_nothing(tmp_path, password, jwt):
    env = {
        **os.environ,
        "STORE_CLUSTER_PASSWORD": password,
        "STORE_JWT_SECRET": jwt,
        "STORE_CLUSTER_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [str(REPO_ROOT / "scripts" / "cluster.sh"), "up"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "refuses" in done.stderr
    assert not (tmp_path / "cluster.env").exists()
    assert not (tmp_path / "startup_seconds").exists()


def test_the_deployed_serve_config_carries_the_runs_experiment_shares():
    # The Ray cluster's environment was set before the run chose its shares: without them in the
    # app's args, serving splits no shopper into arms.
    settings = cluster_settings(control_share=0.5, explore_share=0.1, interleave_share=0.3)
    (application,) = serve_config(settings)["applications"]
    module, _, builder = application["import_path"].partition(":")
    assert callable(getattr(importlib.import_module(module), builder))
    served = Settings(**application["args"])
    assert (served.control_share, served.explore_share, served.interleave_share) == (0.5, 0.1, 0.3)


def test_the_deployed_serve_config_listens_where_the_settings_say():
    # A second cluster on the machine (the test suite's, beside a developer's) moves its ports.
    config = serve_config(cluster_settings(serving_port=8123))
    assert config["http_options"]["port"] == 8123
    assert config["http_options"]["host"] == Settings().serving_host


def test_a_server_that_exits_before_answering_is_reported_at_once():
    """A gateway whose port is taken exits at once; the launcher says so, not two minutes on."""
    exited = subprocess.Popen(["python3", "-c", "raise SystemExit(3)"])  # noqa: S607
    exited.wait()
    started = time.monotonic()
    with pytest.raises(ClusterError, match="exited with code 3 before answering; see its.log"):
        wait_healthy("the gateway", "http://127.0.0.1:9/health", 120, "its.log", exited)
    assert time.monotonic() - started < 10
