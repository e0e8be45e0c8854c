"""The outbox feed on PostgreSQL, where positions are taken at insert and commit out of order: an
event whose transaction commits after a later position was read is still delivered, and a
position left by a rolled-back transaction does not hold the feed up."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import create_engine, text

from consumers.feed import OutboxFeed
from tests.integration.transactional.conftest import truncate_all

pytestmark = pytest.mark.postgres


def insert(connection, name: str) -> None:
    connection.execute(
        text(
            "INSERT INTO outbox (event_id, type, aggregate_id, payload, occurred_at) "
            "VALUES (:id, 'ProductViewed', :name, :payload, '2026-12-02T10:00:00+00:00')"
        ),
        {"id": uuid.uuid4().hex, "name": name, "payload": json.dumps({"name": name})},
    )


@pytest.fixture
def engine(postgres_url):
    truncate_all(postgres_url)
    built = create_engine(postgres_url)
    yield built
    built.dispose()


def test_an_event_that_commits_after_a_later_one_was_read_is_not_lost(engine, postgres_url):
    feed = OutboxFeed(postgres_url)
    with engine.connect() as first:  # closed (rolled back) even when an assertion fails
        first.begin()
        insert(first, "slow")  # takes position 1, commits last
        with engine.begin() as second:
            insert(second, "quick")  # position 2, committed
        held = feed.read(0, 100)
        first.commit()
    assert held == []  # position 1 might still commit: nothing was handed out past it
    delivered = feed.read(0, 100)
    assert [(e.position, e.aggregate_id) for e in delivered] == [(1, "slow"), (2, "quick")]
    feed.close()


def test_a_holder_that_drew_its_id_after_the_last_finished_transaction_is_waited_for(
    engine, postgres_url
):
    # A snapshot's xmax is one past the last id to finish, not the next id to be drawn: the
    # quick transaction draws its id first, the slow one after it and then position 1, and the
    # quick one commits position 2. The slow one's id is then at or above that xmax.
    feed = OutboxFeed(postgres_url)
    with engine.connect() as quick, engine.connect() as slow:
        quick.begin()
        quick.execute(text("SELECT pg_current_xact_id()"))
        slow.begin()
        insert(slow, "slow")  # position 1, an id above the quick one's
        insert(quick, "quick")  # position 2
        quick.commit()
        held = feed.read(0, 100)
        slow.commit()
    assert held == []
    assert [e.aggregate_id for e in feed.read(0, 100)] == ["slow", "quick"]
    feed.close()


def test_a_position_left_by_a_rollback_is_skipped_once_nothing_can_commit_it(engine, postgres_url):
    feed = OutboxFeed(postgres_url)
    with engine.connect() as failed:
        failed.begin()
        insert(failed, "rolled back")  # position 1
        failed.rollback()
    with engine.begin() as second:
        insert(second, "kept")  # position 2
    delivered = feed.read(0, 100)
    assert [(e.position, e.aggregate_id) for e in delivered] == [(2, "kept")]
    with engine.begin() as third:
        insert(third, "next")
    assert [e.aggregate_id for e in feed.read(2, 100)] == ["next"]
    feed.close()
