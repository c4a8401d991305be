"""Locks by name, so that several nodes (or worker processes) on one database take turns.

Migrations wait for the lock (`wait=True`): every node that starts migrates, one at a time,
and the ones after the first find nothing left to do. Singleton jobs (gc, expiry sweeps,
event retention) try it (`wait=False`) and skip their run when another node holds it. On
PostgreSQL they are advisory locks; on SQLite, whose worker processes share one machine,
`flock` on a file beside the database (released by the kernel when the holder dies).
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL's advisory lock id)."""
    digest = hashlib.blake2b(f"podstore:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def advisory_lock(engine: Engine, name: str, *, wait: bool) -> Iterator[bool]:
    """Hold the session-level advisory lock `name` for the block; yields whether it is held.

    With `wait` it blocks until the lock is free (and yields True); without, it yields False
    at once when another session holds it. The lock lives on a connection of its own, so
    the block may use any other connection; it is released when the block ends, or by
    PostgreSQL when the holder's connection dies.
    """
    if engine.dialect.name != "postgresql":
        with _file_lock(engine.url.database or "", name, wait=wait) as held:
            yield held
        return
    key = lock_key(name)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if wait:
            conn.execute(sa.select(sa.func.pg_advisory_lock(key)))
            held = True
        else:
            held = bool(conn.execute(sa.select(sa.func.pg_try_advisory_lock(key))).scalar())
        try:
            yield held
        finally:
            if held:
                conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))


@contextmanager
def _file_lock(database: str, name: str, *, wait: bool) -> Iterator[bool]:
    if database in ("", ":memory:"):  # no other process can open it
        yield True
        return
    path = Path(f"{database}-lock-{name}")
    with path.open("a") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)
