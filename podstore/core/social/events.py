"""The per-user event stream: a monotonic sequence per user, replayable and followed live.

CONTRACT used by the rest of core, inside the write transaction of the change:
    emit(conn, recipients, kind, data)  -> one event per recipient user, each with the next
                                           number of that user's monotonic sequence.
Notifications to listeners go out only after the transaction commits.

Sequence numbers come from one counter row per user, bumped with an upsert that returns the
new value: the row lock serialises the writers of one user until commit, so each user's
events commit in sequence order and a rolled-back transaction leaves no gap.

Waking up the readers: `emit` publishes the recipients on a channel (`meta/notify.py`:
PostgreSQL NOTIFY, or datagrams between the processes sharing a SQLite file), delivered
once the transaction commits, and every process follows it. Readers re-query the table on
every wake-up and also every few seconds, so a lost notification (a LISTEN connection being
re-established) delays an event but never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.context import now
from podstore.core.errors import Invalid
from podstore.core.records import Event
from podstore.meta.db import Database
from podstore.meta.notify import follow, publish
from podstore.meta.prepared import Prepared
from podstore.meta.social_schema import event_counters, events

log = logging.getLogger("podstore.events")
CHANNEL = "podstore_events"
BATCH = 500
MAX_KIND = 64


# -- writing ---------------------------------------------------------------------------------


def _next_seq_statement(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return (
        insert(event_counters)
        .values(user_id=sa.bindparam("user_id"), last_seq=1)
        .on_conflict_do_update(
            index_elements=["user_id"], set_={"last_seq": event_counters.c.last_seq + 1}
        )
        .returning(event_counters.c.last_seq)
    )


_NEXT_SEQ = Prepared(_next_seq_statement)
_INSERT_EVENT = Prepared(events.insert())


def _next_seq(conn: Connection, user_id: str) -> int:
    return int(_NEXT_SEQ.scalar(conn, {"user_id": user_id}))


def emit(conn: Connection, recipients: Iterable[str], kind: str, data: dict[str, Any]) -> None:
    """Record `kind` with `data` in the stream of every user in `recipients`."""
    users = sorted({r for r in recipients if r})  # one order for all writers: no deadlocks
    if not users:
        return
    if not kind or len(kind) > MAX_KIND:
        raise ValueError(f"an event kind is 1 to {MAX_KIND} characters")
    payload = json.loads(json.dumps(data, default=str))
    at = now()
    for user_id in users:
        seq = _next_seq(conn, user_id)
        _INSERT_EVENT.run(
            conn, {"user_id": user_id, "seq": seq, "kind": kind, "data": payload, "at": at}
        )
    for user_id in users:
        publish(conn, CHANNEL, user_id)


def prune(conn: Connection, older_than: float) -> int:
    """Drop events recorded before `older_than` (seconds since the epoch); counters stay."""
    return conn.execute(events.delete().where(events.c.at < older_than)).rowcount


# -- reading ---------------------------------------------------------------------------------


def fetch(conn: Connection, user_id: str, after: int, limit: int = BATCH) -> list[Event]:
    rows = conn.execute(
        sa.select(events.c.seq, events.c.kind, events.c.data, events.c.at)
        .where(events.c.user_id == user_id, events.c.seq > after)
        .order_by(events.c.seq)
        .limit(limit)
    ).all()
    return [Event(r.seq, r.kind, r.data, r.at) for r in rows]


def last_seq(conn: Connection, user_id: str) -> int:
    value = conn.execute(
        sa.select(event_counters.c.last_seq).where(event_counters.c.user_id == user_id)
    ).scalar()
    return int(value or 0)


class EventHub:
    """Serves a process's readers: replay from the table, then wake-ups on new events."""

    def __init__(self, db: Database, poll_interval: float | None = None) -> None:
        self.db = db
        self.poll_interval = poll_interval or (2.0 if db.is_sqlite else 10.0)
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncio.Task[None] | None = None

    # -- wake-ups --

    def _start(self) -> None:
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._listener = self._loop.create_task(self._listen())

    def _wake(self, user_ids: Iterable[str]) -> None:
        for user_id in user_ids:
            for waiter in self._waiters.get(user_id, ()):
                waiter.set()

    def _wake_all(self) -> None:
        self._wake(list(self._waiters))

    async def _listen(self) -> None:
        await follow(self.db.url, CHANNEL, lambda user_id: self._wake((user_id,)), self._wake_all)

    # -- readers --

    async def last_seq(self, user_id: str) -> int:
        return await self.db.read(lambda c: last_seq(c, user_id))

    async def wait(
        self, user_id: str, after: int, within: float, limit: int = BATCH
    ) -> list[Event]:
        """Events after `after` at once if there are any, else the first ones `within` s."""
        if after < 0:
            raise Invalid("after must be a sequence number, 0 or more")
        self._start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, within)
        waiter = asyncio.Event()
        self._waiters.setdefault(user_id, set()).add(waiter)
        try:
            while True:
                waiter.clear()  # registered before reading: no wake-up slips between
                found = await self.db.read(lambda c: fetch(c, user_id, after, limit))
                left = deadline - loop.time()
                if found or left <= 0:
                    return found
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter.wait(), min(left, self.poll_interval))
        finally:
            mine = self._waiters.get(user_id)
            if mine is not None:
                mine.discard(waiter)
                if not mine:
                    del self._waiters[user_id]

    async def subscribe(self, user_id: str, after: int) -> AsyncGenerator[Event, None]:
        """Every event after `after`, stored ones first, then live ones, for ever."""
        while True:
            for event in await self.wait(user_id, after, self.poll_interval):
                after = event.seq
                yield event

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        self._loop = None
