"""Revocations reach every node at once: what a node caches is dropped when it is revoked.

A node caches two things about who may do what: the actors of recently checked session
tokens (`accounts.SessionCache`, for `session_cache_seconds`) and unwrapped pod keys
(`access.PodKeyCache`). Access itself is checked against the database on every request.

CONTRACT, inside the write transaction of the change:
    sessions_revoked(conn, user_id, keep=None)  logout, password change, account deleted
    access_revoked(conn, pod_id=..., user_id=...)  grant or link revoked, member removed
Each is a note (`meta/notify.py`: a NOTIFY on PostgreSQL, a datagram to every process of a
SQLite file, sent before the write is answered), and every node follows the channel
(`Revocations.start`) and calls its hooks on the thread the note arrives on. When notes may
have been lost (a listening connection lost, a full queue), the caches are emptied; the
cache lifetime stays the bound for a connection that dies silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from podstore.meta.db import Database
from podstore.meta.notify import catcher, follow, publish

CHANNEL = "podstore_revocations"
log = logging.getLogger("podstore.revocations")


@dataclass(frozen=True)
class Hooks:
    """What a node drops: a user's cached sessions (but `keep`), cached pod keys, or all."""

    forget_sessions: Callable[[str, str | None], None]
    forget_keys: Callable[[str | None, str | None], None]
    forget_all: Callable[[], None]


def _publish(conn: Connection, message: dict[str, Any]) -> None:
    publish(conn, CHANNEL, json.dumps(message))


def sessions_revoked(conn: Connection, user_id: str, keep: str | None = None) -> None:
    """Every node drops the cached sessions of `user_id`, except session `keep`."""
    _publish(conn, {"sessions": user_id, "keep": keep})


def access_revoked(
    conn: Connection, *, pod_id: str | None = None, user_id: str | None = None
) -> None:
    """Every node drops the pod keys it holds for `pod_id` (and/or for `user_id`)."""
    _publish(conn, {"pod": pod_id, "user": user_id})


def _deliver(targets: list[Hooks], payload: str) -> None:
    try:
        message = json.loads(payload)
    except ValueError:
        log.warning("ignored a revocation that is not JSON: %.80s", payload)
        return
    for hooks in targets:
        if "sessions" in message:
            hooks.forget_sessions(message["sessions"], message.get("keep"))
        else:
            hooks.forget_keys(message.get("pod"), message.get("user"))


class Revocations:
    """A node's follower of the revocation channel."""

    def __init__(self, db: Database, hooks: Hooks) -> None:
        self.db = db
        self.hooks = hooks
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self.catch_up = catcher(db.url)  # before trusting a cache

    async def start(self, within: float = 5.0) -> None:
        """Follow the channel; returns once the node listens (or after `within` seconds:
        until then the cache lifetime bounds what a revocation takes to arrive)."""
        if self._task is None:
            self._task = asyncio.create_task(
                follow(self.db.url, CHANNEL, self._note, self._connected, threadsafe=True)
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), within)

    def _connected(self) -> None:
        self.hooks.forget_all()  # whatever was revoked while nobody listened
        self._listening.set()

    def _note(self, payload: str) -> None:
        _deliver([self.hooks], payload)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
