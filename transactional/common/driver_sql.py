"""The order path's hot statements on the driver's own cursor: a Core statement compiled once per
dialect, then run as the driver's SQL and parameters in the unit of work's transaction.

SQLAlchemy's execute builds a cache key, looks up the compiled form, builds an execution
context and a result for every statement: about as much CPU as the driver's own work, and an
order runs two dozen statements. Only what that machinery adds is skipped here: the statement
is the same Core object (same SQL on SQLite and PostgreSQL), statement listeners still see it,
and driver errors come back as SQLAlchemy's exceptions, a dropped connection invalidated.
Statements whose types convert values (bind or result processors) or expand IN lists at run
time go through `Connection.execute` as before.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Float, Table, bindparam, exc, insert
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.expression import Executable


class DriverResult:
    """What a statement gave back: its rows (named tuples) and the rows it changed."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def all(self) -> list[Any]:
        return self.rows

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]


class _Compiled:
    """One statement's SQL, parameter order and row type for one dialect."""

    __slots__ = ("defaults", "names", "positional", "returns_rows", "row", "sql")

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        # As for many rows: no RETURNING of an inserted key that nobody reads.
        compiled = statement.compile(dialect=dialect, for_executemany=True)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("expanding or literal-execute parameters need Connection.execute")
        for name, bind in compiled.binds.items():
            if not _plain_float(bind.type) and bind.type.dialect_impl(dialect).bind_processor(
                dialect
            ):
                raise ValueError(f"parameter {name!r} is converted by its type")
        self.sql = str(compiled)
        # Values written into the statement itself (a constant status); the caller's override.
        self.defaults = {n: b.value for n, b in compiled.binds.items() if not b.required}
        self.positional = dialect.positional
        self.names = tuple(compiled.positiontup or ()) if self.positional else ()
        columns = statement.exported_columns  # a DML statement's: what it returns
        self.returns_rows = bool(statement.is_select or len(columns))
        self.row: Any = None
        if self.returns_rows:
            for column in columns:
                if _converts(column.type, dialect):
                    raise ValueError(f"column {column.key!r} is converted by its type")
            self.row = namedtuple("Row", list(columns.keys()))  # type: ignore[misc]

    def arguments(self, params: Mapping[str, Any]) -> Any:
        values = {**self.defaults, **params} if self.defaults else params
        if self.positional:
            return tuple(values[name] for name in self.names)
        return values


class DriverStatement:
    """A Core statement run on the driver's cursor; its parameters are named `bindparam`s."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        # Keyed by the dialect itself, not its id: an engine's dialect freed and another's
        # allocated at the same address must not find SQL compiled for the first.
        self._by_dialect: dict[Dialect, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect)
        if found is None:
            # Racing threads compile the same thing twice at worst.
            found = self._by_dialect[dialect] = _Compiled(self.statement, dialect)
        return found

    def execute(
        self, connection: Connection, params: Mapping[str, Any] | None = None
    ) -> DriverResult:
        compiled = self.compiled(connection.dialect)
        arguments = compiled.arguments(params or {})
        return _run(connection, compiled, arguments, many=False)

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        compiled = self.compiled(connection.dialect)
        if len(rows) == 1:
            _run(connection, compiled, compiled.arguments(rows[0]), many=False)
        else:
            _run(connection, compiled, [compiled.arguments(row) for row in rows], many=True)


def _plain_float(type_: Any) -> bool:
    # Both drivers take and give Python floats; SQLAlchemy's processors would only coerce.
    return isinstance(type_, Float) and not type_.asdecimal


def _converts(type_: Any, dialect: Dialect) -> bool:
    """Whether SQLAlchemy would convert what the driver returns for a column of this type."""
    if _plain_float(type_):
        return False
    try:
        return type_.dialect_impl(dialect).result_processor(dialect, None) is not None
    except (TypeError, exc.InvalidRequestError):
        return True  # it needs the column's type as the driver reports it: a conversion


class DriverInsert(DriverStatement):
    """An INSERT whose parameters are named as the columns: every NOT NULL column is required,
    a nullable one is NULL unless given; an autoincrement key or a column with a server default
    is left to the database. Several rows go as one multi-row VALUES statement (an order's
    events, its lines): one statement instead of the driver's batch protocol."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = [
            column
            for column in table.columns
            if column is not table.autoincrement_column and column.server_default is None
        ]
        super().__init__(insert(table).values(self._row_values("")))
        self._by_rows: dict[tuple[Dialect, int], _Compiled] = {}

    def _row_values(self, suffix: str) -> dict[str, Any]:
        return {
            column.name: bindparam(column.name + suffix, None, type_=column.type)
            if column.nullable
            else bindparam(column.name + suffix, type_=column.type)
            for column in self.columns
        }

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if len(rows) <= 1 or len(rows) > MULTI_ROW_LIMIT:
            super().execute_many(connection, rows)
            return
        key = (connection.dialect, len(rows))
        compiled = self._by_rows.get(key)
        if compiled is None:
            statement = insert(self.table).values(
                [self._row_values(f"_{n}") for n in range(len(rows))]
            )
            compiled = self._by_rows[key] = _Compiled(statement, connection.dialect)
        params = {f"{name}_{n}": value for n, row in enumerate(rows) for name, value in row.items()}
        _run(connection, compiled, compiled.arguments(params), many=False)


# Past this many rows a batch is rare (a bulk import): the driver's own batching, not one more
# compiled statement per row count.
MULTI_ROW_LIMIT = 16


def inserting(table: Table) -> DriverInsert:
    return DriverInsert(table)


# Where a pooled connection keeps its cursor for these statements, with the driver connection
# it belongs to: a cursor per statement cost about a tenth of the driver's work.
_CURSOR = "driver_sql_cursor"


def _cursor(connection: Connection) -> tuple[Any, Any]:
    """The driver connection under `connection` and its reusable cursor."""
    pooled = connection.connection
    driver = pooled.dbapi_connection
    assert driver is not None, "a connection in use has its driver connection"
    held = pooled.info.get(_CURSOR)
    if held is None or held[0] is not driver:  # a new or reconnected driver connection
        held = pooled.info[_CURSOR] = (driver, driver.cursor())
    return held


def _run(connection: Connection, compiled: _Compiled, arguments: Any, many: bool) -> DriverResult:
    if not connection.in_transaction():
        connection.begin()  # as SQLAlchemy's execute autobegins: its commit then commits this
    dbapi_connection, cursor = _cursor(connection)
    try:
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, cursor, compiled.sql, arguments, None, many)
        if many:
            cursor.executemany(compiled.sql, arguments)
        else:
            cursor.execute(compiled.sql, arguments)
        rows: list[Any] = []
        if compiled.returns_rows and not many:
            rows = [compiled.row._make(row) for row in cursor.fetchall()]
        return DriverResult(rows, cursor.rowcount)
    except connection.dialect.loaded_dbapi.Error as error:
        dialect = connection.dialect
        gone = dialect.is_disconnect(error, dbapi_connection, cursor)
        if gone:
            connection.invalidate(error)
        raise exc.DBAPIError.instance(
            compiled.sql,
            arguments,
            error,
            dialect.loaded_dbapi.Error,
            connection_invalidated=gone,
            dialect=dialect,
        ) from error
