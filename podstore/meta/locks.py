"""PostgreSQL advisory locks, so that several nodes on one database take turns.

Migrations wait for the lock (`wait=True`): every node that starts migrates, one at a time,
and the ones after the first find nothing left to do. Singleton jobs (gc, expiry sweeps,
event retention) try it (`wait=False`) and skip their run when another node holds it. On
SQLite one process owns the database, so the lock is always granted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

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
        yield True
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
