"""`Transaction.after_commit`: callbacks run once the commit has succeeded, never on a rollback,
and a failing callback leaves the commit standing."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from transactional.common.clock import SystemClock
from transactional.common.db import make_engine
from transactional.common.uow import UnitOfWork, transaction_of


@pytest.fixture
def uow(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    yield UnitOfWork(engine, SystemClock())
    engine.dispose()


def _bodies_seen_elsewhere(uow: UnitOfWork) -> list[str]:
    # Another engine, so another connection: it only sees what is committed.
    other = create_engine(uow.engine.url)
    try:
        with other.connect() as connection:
            return list(connection.execute(text("SELECT body FROM notes")).scalars())
    finally:
        other.dispose()


def test_callback_runs_after_the_commit_and_sees_its_rows(uow):
    seen: list[list[str]] = []
    with uow.begin() as tx:
        tx.connection.execute(text("INSERT INTO notes VALUES ('placed')"))
        tx.after_commit(lambda: seen.append(_bodies_seen_elsewhere(uow)))
        assert seen == []  # not yet: the transaction is still open
    assert seen == [["placed"]]


def test_callback_never_runs_on_a_rollback(uow):
    ran: list[str] = []
    with pytest.raises(RuntimeError), uow.begin() as tx:
        tx.connection.execute(text("INSERT INTO notes VALUES ('lost')"))
        tx.after_commit(lambda: ran.append("ran"))
        raise RuntimeError("payment step failed")
    assert ran == []
    assert _bodies_seen_elsewhere(uow) == []


def test_a_failing_callback_leaves_the_commit_standing_and_runs_the_rest(uow):
    ran: list[str] = []

    def redis_down() -> None:
        raise ConnectionError("redis is down")

    with uow.begin() as tx:
        tx.connection.execute(text("INSERT INTO notes VALUES ('kept')"))
        tx.after_commit(redis_down)
        tx.after_commit(lambda: ran.append("second"))
    assert ran == ["second"]
    assert _bodies_seen_elsewhere(uow) == ["kept"]


def test_adapters_find_the_transaction_from_its_connection(uow):
    with uow.begin() as tx:
        assert transaction_of(tx.connection) is tx
    with uow.read() as connection:
        assert transaction_of(connection) is None
