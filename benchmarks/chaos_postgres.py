"""A PostgreSQL server of the chaos run's own, on a port of its own: restarting the shared test
server would pull it from under every other test. Runs as `postgres` (initdb refuses root).

Commits are synchronous: an immediate restart is a crash of the server process, and a commit
the store already answered must survive it. fsync stays off because the machine itself does not
crash here (the operating system keeps what was written), and fsync costs this disk seconds.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

USER = "chaos"


def _bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise SystemExit("PostgreSQL is not installed: `source scripts/services.sh` installs it")
    return str(versions[-1] / name)


class ThrowawayPostgres:
    def __init__(self, port: int) -> None:
        self.port = port
        self.password = secrets.token_urlsafe(16)
        self.dir = Path(tempfile.mkdtemp(prefix="chaos-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{USER}:{self.password}@127.0.0.1:{self.port}/store"

    def _as_postgres(self, *command: str) -> None:
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        done = subprocess.run(
            [runuser, "-u", "postgres", "--", *command], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")

    def start(self) -> ThrowawayPostgres:
        shutil.chown(self.dir, "postgres")
        password_file = self.dir / "password"
        password_file.write_text(self.password)
        shutil.chown(password_file, "postgres")
        os.chmod(password_file, 0o600)
        self._as_postgres(
            _bin("initdb"), "-D", str(self.data), "-U", USER, f"--pwfile={password_file}",
            "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8",
        )  # fmt: skip
        password_file.unlink()
        settings = [
            f"port = {self.port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.dir}'",
            "max_connections = 200",
            "synchronous_commit = on",
            "fsync = off",
            "shared_buffers = 128MB",
        ]
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n".join(settings) + "\n")
        self._pg_ctl("start")
        server = self.url.replace("/store", "/postgres")
        engine = create_engine(server, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("CREATE DATABASE store"))
        engine.dispose()
        return self

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._as_postgres(
            _bin("pg_ctl"), action, "-D", str(self.data), "-l", str(self.log), "-w", *extra
        )

    def restart(self) -> None:
        """A crash and a restart: every connection is cut, the server replays its WAL."""
        self._pg_ctl("restart", "-m", "immediate")

    def wait_ready(self, timeout_s: float = 60) -> None:
        engine = create_engine(self.url, pool_pre_ping=True)
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                try:
                    with engine.connect() as connection:
                        connection.execute(text("SELECT 1"))
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            engine.dispose()

    def stop(self) -> None:
        try:
            self._pg_ctl("stop", "-m", "fast")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
