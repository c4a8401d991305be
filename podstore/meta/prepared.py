"""Core statements compiled once per dialect and run straight on the DBAPI connection.

For the hottest statements (authorization; key, node and version lookups; the small-upload
path), SQLAlchemy's work per execution (cache key, execution context, result metadata, row
objects) costs several times what SQLite or PostgreSQL spend on the query. A `Prepared`
statement keeps SQLAlchemy as the one way to write SQL for both databases, compiles it once
per dialect, and converts parameters and result columns with the same type processors
SQLAlchemy would use. It runs inside the caller's transaction: it takes the `Connection`
that `Database.read`/`write` hands out.

Not for statements with expanding (`IN` list) parameters, nor for Python-side column defaults
(the schema has server defaults only). Every parameter the statement has must be given: an
INSERT built without `.values()` has one per column, so `insert_of` names the columns.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, Table, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.base import ColumnCollection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import ReturnsRows

Processor = Callable[[Any], Any] | None
_Converters = tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, processor)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # positional order of bind names; None = named style
    required: frozenset[str]
    defaults: dict[str, Any]
    binds: dict[str, Processor]
    result_types: tuple[Any, ...]  # the dialect's type of each result column


def _returned(statement: ClauseElement) -> Any:
    """The columns a statement returns: a SELECT's (or UNION's), or a DML's RETURNING."""
    if isinstance(statement, ReturnsRows):
        return statement.exported_columns
    return ColumnCollection()  # type: ignore[var-annotated]


class Prepared:
    """`statement` is a Core statement, or a function of the dialect name that builds one
    (for dialect-specific constructs such as INSERT … ON CONFLICT)."""

    def __init__(self, statement: ClauseElement | Callable[[str], ClauseElement]) -> None:
        self._build = statement if callable(statement) else (lambda _name: statement)
        self.row_type: Any = None
        # SQLAlchemy makes the keys unique (a second `name` is `name_1`), as in its rows
        keys = list(_returned(self._build("sqlite")).keys())
        if keys:
            self.row_type = namedtuple("PreparedRow", keys)  # type: ignore[misc]
        self._by_dialect: dict[str, _Compiled] = {}
        # result processors may depend on the column types the driver reports, so they are
        # made at the first execution; None means that no column needs one
        self._results: dict[str, _Converters | None] = {}

    def statement(self, dialect: str) -> Executable:
        """The Core statement for a dialect ("sqlite", "postgresql"), for `conn.execute`."""
        statement = self._build(dialect)
        assert isinstance(statement, Executable)
        return statement

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = self._build(dialect.name)
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        rendered = {name: bind for bind, name in compiled.bind_names.items()}
        if any(bind.expanding for bind in rendered.values()):
            raise ValueError("a prepared statement cannot have expanding parameters")
        binds = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in rendered.items()
        }
        defaults = {k: v for k, v in compiled.params.items() if v is not None}
        result_types = tuple(c.type.dialect_impl(dialect) for c in _returned(statement))
        names = tuple(compiled.positiontup or ()) if compiled.positional else None
        return _Compiled(
            sql=compiled.string,
            names=names,
            required=frozenset(rendered) - set(defaults),
            defaults=defaults,
            binds={k: v for k, v in binds.items() if v is not None},
            result_types=result_types,
        )

    def _prepare(self, conn: Connection, params: Mapping[str, Any]) -> tuple[_Compiled, Any]:
        dialect = conn.dialect
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = self._compile(dialect)
        if not compiled.required.issubset(params):
            raise KeyError(f"missing parameters: {sorted(compiled.required - set(params))}")
        values = {**compiled.defaults, **params} if compiled.defaults else dict(params)
        for name, process in compiled.binds.items():
            if name in values:
                values[name] = process(values[name])  # type: ignore[misc]
        if compiled.names is not None:
            return compiled, tuple(values[name] for name in compiled.names)
        return compiled, values

    def _execute(self, conn: Connection, params: Mapping[str, Any]) -> tuple[Any, Any]:
        compiled, args = self._prepare(conn, params)
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.execute(compiled.sql, args)
        name = conn.dialect.name
        if name not in self._results and compiled.result_types:
            processors = (
                kind.result_processor(conn.dialect, column[1])
                for kind, column in zip(compiled.result_types, cursor.description, strict=True)
            )
            converted = tuple((i, p) for i, p in enumerate(processors) if p is not None)
            self._results[name] = converted or None
        return self._results.get(name), cursor

    def _row(self, processors: _Converters | None, values: tuple[Any, ...]) -> Any:
        if processors is not None:
            converted = list(values)
            for index, process in processors:
                converted[index] = process(converted[index])
            return self.row_type._make(converted)
        return self.row_type._make(values)

    def first(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """The first row (a named tuple), or None."""
        processors, cursor = self._execute(conn, params or {})
        try:
            values = cursor.fetchone()
        finally:
            cursor.close()
        return None if values is None else self._row(processors, values)

    def all(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        processors, cursor = self._execute(conn, params or {})
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if processors is None:
            return list(map(self.row_type._make, rows))
        return [self._row(processors, values) for values in rows]

    def tuples(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        """`all` as plain tuples in column order: for many rows read positionally, where a
        named tuple per row costs more than the query."""
        processors, cursor = self._execute(conn, params or {})
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if processors is None:
            return list(rows)
        return [tuple(self._row(processors, values)) for values in rows]

    def scalar(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the one row the statement returns."""
        row = self.first(conn, params)
        if row is None:
            raise LookupError("the statement returned no row")
        return row[0]

    def run(self, conn: Connection, params: Mapping[str, Any] | None = None) -> int:
        """Execute a write; the number of rows it touched."""
        _, cursor = self._execute(conn, params or {})
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()


def insert_of(table: Table, *columns: str) -> Insert:
    """INSERT INTO `table` of the named columns, each a bind parameter of its own name."""
    return table.insert().values({name: bindparam(name) for name in columns})


def upsert_of(
    table: Table, keys: list[str], update: Callable[[Any], dict[str, Any]]
) -> Callable[[str], ClauseElement]:
    """For `Prepared`: INSERT … ON CONFLICT (`keys`) DO UPDATE SET `update(excluded)`, built
    for each dialect (`excluded` is the row that was to be inserted)."""

    def build(dialect: str) -> ClauseElement:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(table)
        return stmt.on_conflict_do_update(index_elements=keys, set_=update(stmt.excluded))

    return build
