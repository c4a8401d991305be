"""emit() and EventHub against the metadata database itself, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.social.audit import audit
from podstore.core.social.events import EventHub, emit, fetch, last_seq
from podstore.meta.db import Database, after_commit
from podstore.meta.schema import users
from podstore.meta.social_schema import audit_log


@pytest.fixture
def db(fresh_database_url: str) -> Iterator[Database]:
    database = Database(fresh_database_url)
    database.migrate()
    try:
        yield database
    finally:
        database.close()


def new_user(db: Database) -> str:
    user_id = str(uuid.uuid4())
    db.write_sync(
        lambda c: c.execute(
            users.insert().values(
                id=user_id,
                name=f"u-{user_id[:12]}",
                password_hash="x",
                kek_salt=b"s",
                wrapped_secret=b"w",
                public_key=b"p",
                profile={},
                created_at=0.0,
            )
        )
    )
    return user_id


def seqs(db: Database, user_id: str) -> list[int]:
    return [e.seq for e in db.read_sync(lambda c: fetch(c, user_id, 0, 10_000))]


def test_each_recipient_gets_its_own_sequence(db: Database) -> None:
    a, b = new_user(db), new_user(db)
    db.write_sync(lambda c: emit(c, [a], "message.received", {"n": 1}))
    db.write_sync(lambda c: emit(c, [a, b, a, ""], "file.created", {"n": 2}))
    assert seqs(db, a) == [1, 2] and seqs(db, b) == [1]
    events = db.read_sync(lambda c: fetch(c, a, 1))
    assert [(e.kind, e.data) for e in events] == [("file.created", {"n": 2})]
    assert db.read_sync(lambda c: last_seq(c, a)) == 2
    assert db.read_sync(lambda c: last_seq(c, str(uuid.uuid4()))) == 0
    db.write_sync(lambda c: emit(c, [], "nothing", {}))


def test_a_rolled_back_transaction_leaves_no_gap(db: Database) -> None:
    a = new_user(db)
    ran: list[str] = []

    def fails(conn: Connection) -> None:
        emit(conn, [a], "file.created", {})
        after_commit(conn, lambda: ran.append("rolled back"))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.write_sync(fails)
    db.write_sync(lambda c: after_commit(c, lambda: ran.append("committed")))
    db.write_sync(lambda c: emit(c, [a], "file.changed", {}))
    assert seqs(db, a) == [1]
    assert ran == ["committed"]


def test_concurrent_writers_never_share_or_skip_a_number(db: Database) -> None:
    a, b = new_user(db), new_user(db)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                who = [a, b] if (n + i) % 2 else [b, a]

                def write(conn: Connection, who: list[str] = who, i: int = i) -> None:
                    emit(conn, who, "file.changed", {"w": n, "i": i})

                db.write_sync(write)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert seqs(db, a) == list(range(1, 91)) and seqs(db, b) == list(range(1, 91))


def test_audit_rows_outlive_their_user(db: Database) -> None:
    a = new_user(db)

    def delete(conn: Connection) -> None:
        audit(conn, a, "account.deleted", {"when": object()}, "10.0.0.1")
        conn.execute(users.delete().where(users.c.id == a))

    db.write_sync(delete)
    row = db.read_sync(lambda c: c.execute(sa.select(audit_log)).one())
    assert (row.user_id, row.action, row.address) == (a, "account.deleted", "10.0.0.1")
    assert isinstance(row.detail["when"], str)
    assert seqs(db, a) == []


def test_hub_wakes_a_waiting_reader_after_commit(db: Database) -> None:
    a, b = new_user(db), new_user(db)

    async def scenario() -> tuple[list[dict[str, Any]], float, list[dict[str, Any]]]:
        hub = EventHub(db, poll_interval=30)  # only a notification can wake it in time
        try:
            await hub.wait(a, 0, 0.2)  # starts the listener
            loop = asyncio.get_running_loop()
            started = loop.time()

            async def later() -> None:
                await asyncio.sleep(0.3)
                await db.write(lambda c: emit(c, [a], "message.received", {"text": "hi"}))

            task = asyncio.ensure_future(later())
            found = await hub.wait(a, 0, 20)
            took = loop.time() - started
            await task
            nothing = await hub.wait(b, 0, 0.3)
            stream = hub.subscribe(a, 0)
            first = await anext(stream)
            await stream.aclose()
            assert first.seq == 1
            return found, took, nothing
        finally:
            await hub.close()

    found, took, nothing = asyncio.run(scenario())
    assert [e.data for e in found] == [{"text": "hi"}]
    assert took < 10
    assert nothing == []
