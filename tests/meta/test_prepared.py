"""Prepared statements give what SQLAlchemy gives, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from podstore.meta.db import Database
from podstore.meta.prepared import Prepared, upsert_of

meta = sa.MetaData()
items = sa.Table(
    "items",
    meta,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("ratio", sa.Float, nullable=True),
    sa.Column("shared", sa.Boolean, nullable=False),
    sa.Column("blob", sa.LargeBinary, nullable=True),
    sa.Column("extra", sa.JSON, nullable=True),
)
ROWS: list[dict[str, Any]] = [
    {
        "name": "a",
        "size": 1,
        "ratio": 0.5,
        "shared": True,
        "blob": b"\x00\xff",
        "extra": {"k": [1]},
    },
    {"name": "b", "size": 2**40, "ratio": None, "shared": False, "blob": None, "extra": None},
    {"name": "c", "size": 3, "ratio": 2.0, "shared": False, "blob": b"", "extra": [1, "x"]},
]

BY_SIZE = Prepared(
    sa.select(items)
    .where(items.c.size >= sa.bindparam("least"), items.c.shared == sa.bindparam("shared"))
    .order_by(items.c.name)
    .limit(2)
)
ONE = Prepared(
    sa.select(items.c.name, items.c.extra, (items.c.size * 2).label("double")).where(
        sa.or_(
            items.c.name == sa.bindparam("ref"), sa.func.upper(items.c.name) == sa.bindparam("ref")
        )
    )
)


UPSERT = Prepared(upsert_of(items, ["name"], lambda new: {"size": new.size}))


@pytest.fixture
def db(fresh_database_url: str) -> Iterator[Database]:
    database = Database(fresh_database_url)
    database.write_sync(lambda c: meta.create_all(c))
    database.write_sync(lambda c: c.execute(items.insert(), ROWS))
    yield database
    database.close()


def _reference(db: Database, statement: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return db.read_sync(lambda c: [tuple(r) for r in c.execute(statement, params).all()])


@pytest.mark.parametrize("shared", [True, False])
def test_rows_equal_what_sqlalchemy_returns(db: Database, shared: bool) -> None:
    params = {"least": 1, "shared": shared}
    rows = db.read_sync(lambda c: BY_SIZE.all(c, params))
    assert [tuple(r) for r in rows] == _reference(db, BY_SIZE.statement(db.dialect), params)
    assert all(isinstance(r.shared, bool) and r.shared is shared for r in rows)
    if not shared:
        assert [r.name for r in rows] == ["b", "c"]  # the LIMIT's own parameter is kept
        assert rows[0].size == 2**40 and rows[0].ratio is None and rows[0].blob is None


def test_json_and_labelled_columns_and_a_repeated_parameter(db: Database) -> None:
    row = db.read_sync(lambda c: ONE.first(c, {"ref": "a"}))
    assert row is not None
    assert (row.name, row.extra, row.double) == ("a", {"k": [1]}, 2)
    assert db.read_sync(lambda c: ONE.first(c, {"ref": "nothing"})) is None


def _item(name: str, size: int) -> dict[str, Any]:
    return {"name": name, "size": size, "ratio": None, "shared": True, "blob": None, "extra": None}


def test_writes_run_inside_the_callers_transaction(db: Database) -> None:
    def upsert_then_fail(conn: Any) -> None:
        assert UPSERT.run(conn, _item("a", 99)) == 1
        raise RuntimeError("undo")

    with pytest.raises(RuntimeError):
        db.write_sync(upsert_then_fail)
    assert db.read_sync(lambda c: ONE.first(c, {"ref": "a"})).double == 2
    db.write_sync(lambda c: UPSERT.run(c, _item("a", 99)))
    db.write_sync(lambda c: UPSERT.run(c, _item("d", 7)))
    assert db.read_sync(lambda c: ONE.first(c, {"ref": "a"})).double == 198
    assert db.read_sync(lambda c: ONE.first(c, {"ref": "d"})).double == 14


def test_a_missing_parameter_is_an_error_not_a_null(db: Database) -> None:
    with pytest.raises(KeyError):
        db.read_sync(lambda c: BY_SIZE.all(c, {"least": 1}))


def test_clashing_column_names_are_told_apart_as_sqlalchemy_does(db: Database) -> None:
    clash = Prepared(sa.select(items.c.name, items.c.size.label("name")).order_by(items.c.name))
    assert db.read_sync(lambda c: clash.first(c))._fields == ("name", "name_1")
    assert tuple(db.read_sync(lambda c: clash.first(c))) == ("a", 1)


def test_expanding_parameters_are_refused(db: Database) -> None:
    expanding = Prepared(sa.select(items).where(items.c.name.in_(sa.bindparam("names"))))
    with pytest.raises(ValueError, match="expanding"):
        db.read_sync(lambda c: expanding.all(c, {"names": ["a"]}))


def test_read_now_survives_a_lost_connection(db: Database) -> None:
    """A reader connection kept across calls is opened again after the server drops it."""
    lookup = Prepared(sa.select(items.c.size).where(items.c.name == sa.bindparam("name")))

    async def size_of_a() -> int:
        row = await db.read_now(lambda c: lookup.first(c, {"name": "a"}))
        return int(row.size)

    async def main() -> list[int]:
        first = await size_of_a()
        if not db.is_sqlite:  # drop every other session of this database, as a restart would
            db.write_sync(
                lambda c: c.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        return [first, await size_of_a(), await size_of_a()]

    assert asyncio.run(main()) == [1, 1, 1]
