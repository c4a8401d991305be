"""Group commit: concurrent writes share transactions, and one failing write fails alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.meta.db import Database, UniqueViolation, after_commit

things = sa.Table("things", sa.MetaData(), sa.Column("name", sa.String, primary_key=True))


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'w.db'}")
    with database.writer_engine.begin() as conn:
        things.create(conn)
    yield database
    database.close()


def test_a_failing_write_does_not_undo_its_neighbours(db: Database) -> None:
    committed: list[str] = []

    def insert(name: str, fail: bool = False):  # type: ignore[no-untyped-def]
        def run(conn: Connection) -> str:
            conn.execute(things.insert().values(name=name))
            after_commit(conn, lambda: committed.append(name))
            if fail:
                raise ValueError(f"{name} fails after writing")
            return name

        return run

    async def main() -> list[object]:
        jobs = [db.write(insert(f"n{i}", fail=i % 5 == 0)) for i in range(50)]
        jobs.append(db.write(insert("n1")))  # a duplicate of a write in the same batch
        return await asyncio.gather(*jobs, return_exceptions=True)

    results = asyncio.run(main())
    failed = {f"n{i}" for i in range(0, 50, 5)}
    for i, result in enumerate(results[:50]):
        if f"n{i}" in failed:
            assert isinstance(result, ValueError)
        else:
            assert result == f"n{i}"
    assert isinstance(results[50], UniqueViolation)
    stored = set(db.read_sync(lambda c: c.execute(sa.select(things.c.name)).scalars().all()))
    assert stored == {f"n{i}" for i in range(50)} - failed
    assert sorted(committed) == sorted(stored)  # hooks ran for committed writes only


def test_after_a_failed_commit_the_writer_goes_on(db: Database) -> None:
    """A transaction that cannot commit fails every write in it, and only those."""

    def sabotage(conn: Connection) -> None:
        conn.execute(things.insert().values(name="lost"))
        # ends the shared transaction behind SQLAlchemy's back: its COMMIT then fails
        conn.connection.driver_connection.execute("RELEASE SAVEPOINT job")  # type: ignore[union-attr]
        conn.connection.driver_connection.execute("ROLLBACK")  # type: ignore[union-attr]

    async def main() -> list[object]:
        return await asyncio.gather(db.write(sabotage), return_exceptions=True)

    (failed,) = asyncio.run(main())
    assert isinstance(failed, Exception)
    assert (
        asyncio.run(db.write(lambda c: c.execute(things.insert().values(name="after")))) is not None
    )
    stored = db.read_sync(lambda c: c.execute(sa.select(things.c.name)).scalars().all())
    assert stored == ["after"]
