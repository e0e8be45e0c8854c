"""The order path's statements on the driver's cursor behave as SQLAlchemy's execute did: same
rows and counts, constants and NULLs filled in, listeners called, driver errors raised as
SQLAlchemy's, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    cast,
    create_engine,
    event,
    exc,
    select,
    update,
)

from transactional.common.driver_sql import DriverStatement, inserting

metadata = MetaData()
shelf = Table(
    "driver_sql_shelf",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=True),
    Column("sku", String(10), nullable=False, unique=True),
    Column("quantity", Integer, nullable=False),
    Column("note", String(20)),
    Column("state", String(10), nullable=False, server_default="new"),
    Column("rating", Float),
)
_S = shelf.c

PUT = inserting(shelf)
LEVEL = DriverStatement(
    select(_S.sku, _S.quantity.label("level")).where(_S.sku == bindparam("sku"))
)
TAKE = DriverStatement(
    update(shelf)
    .where(_S.sku == bindparam("b_sku"), _S.quantity >= bindparam("n"))
    .values(quantity=_S.quantity - bindparam("n"), state="taken")
    .returning(_S.quantity)
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shelf.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    built = create_engine(url)
    metadata.drop_all(built)
    metadata.create_all(built)
    yield built
    metadata.drop_all(built)
    built.dispose()


def test_rows_counts_constants_and_nulls_match_the_table(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection, connection.begin():
        PUT.execute_many(
            connection,
            [{"sku": "a", "quantity": 5, "rating": 4.5}, {"sku": "b", "quantity": 7, "note": "x"}],
        )
        PUT.execute_many(connection, [{"sku": "c", "quantity": 1}])
        assert LEVEL.execute(connection, {"sku": "a"}).first().level == 5
        assert LEVEL.execute(connection, {"sku": "zz"}).first() is None
        taken = TAKE.execute(connection, {"b_sku": "a", "n": 2})
        assert (taken.scalar(), taken.rowcount) == (3, 1)
        refused = TAKE.execute(connection, {"b_sku": "a", "n": 20})
        assert (refused.scalar(), refused.rowcount) == (None, 0)
    with engine.connect() as connection:
        rows = connection.execute(
            select(_S.sku, _S.quantity, _S.note, _S.state, _S.rating).order_by(_S.sku)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("a", 3, None, "taken", 4.5),
        ("b", 7, "x", "new", None),
        ("c", 1, None, "new", None),
    ]


def test_statement_listeners_see_each_statement(engine) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    with engine.connect() as connection, connection.begin():
        PUT.execute(connection, {"sku": "a", "quantity": 1})
        LEVEL.execute(connection, {"sku": "a"})
    assert [sql.split()[0] for sql in seen] == ["INSERT", "SELECT"]


def test_a_driver_error_is_sqlalchemys_and_the_transaction_rolls_back(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc.IntegrityError), engine.connect() as connection, connection.begin():
        PUT.execute(connection, {"sku": "a", "quantity": 1})
        PUT.execute(connection, {"sku": "a", "quantity": 2})
    with engine.connect() as connection:
        assert connection.execute(select(_S.sku)).all() == []


def test_columns_the_type_converts_are_refused_when_first_run(engine) -> None:  # type: ignore[no-untyped-def]
    priced = DriverStatement(select(cast(_S.quantity, Numeric(10, 2)).label("price")))
    with engine.connect() as connection, pytest.raises(ValueError, match="price"):
        priced.execute(connection)


def test_several_rows_go_as_one_statement_in_their_order(engine) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    skus = ["m", "c", "x", "a"]
    with engine.connect() as connection, connection.begin():
        PUT.execute_many(
            connection, [{"sku": sku, "quantity": n, "note": sku * n} for n, sku in enumerate(skus)]
        )
    assert len(seen) == 1
    with engine.connect() as connection:
        rows = connection.execute(select(_S.sku, _S.note).order_by(_S.position)).all()
    assert [tuple(row) for row in rows] == [("m", ""), ("c", "c"), ("x", "xx"), ("a", "aaa")]


def test_a_connection_opened_again_gets_a_cursor_of_its_own(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        PUT.execute(connection, {"sku": "a", "quantity": 1})
        connection.commit()
        connection.invalidate()  # as after a dropped connection: the pool opens a new one
        assert LEVEL.execute(connection, {"sku": "a"}).first().level == 1
