"""Notes to every process of one database, sent at commit: PostgreSQL NOTIFY, or on SQLite
datagrams between the worker processes sharing the database file.

    publish(conn, channel, payload)  inside a write transaction; delivered once it commits
    follow(url, channel, on_note, on_connect)  for ever, in every process

On SQLite each process has one `_Node` per database file: a Unix datagram socket in the
abstract namespace (gone with the process) and a file named like it in `<db>-nodes/`, so
peers find each other. The writer sends one datagram per committed batch to every peer,
before any write of the batch is answered (`flush`), and delivers to its own followers
directly. A peer whose queue is full misses the datagram; the next one it gets says so and
its followers run `on_connect`, as after a lost PostgreSQL connection.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import itertools
import json
import logging
import os
import select
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

log = logging.getLogger("podstore.notify")
_PENDING = "podstore_notes"
_MAX_DATAGRAM = 60_000


def publish(conn: Connection, channel: str, payload: str) -> None:
    """Deliver `payload` on `channel` to every process once the transaction of `conn` commits."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_notify(channel, payload)))
    else:
        conn.info.setdefault(_PENDING, []).append((channel, payload))


def take_pending(conn: Connection) -> list[tuple[str, str]]:
    """The notes a write published (the writer sends them with `flush` once it commits)."""
    notes: list[tuple[str, str]] = conn.info.pop(_PENDING, [])
    return notes


def flush(database: str, notes: list[tuple[str, str]]) -> None:
    """Send committed `notes` of the SQLite file `database` to every process that follows it."""
    if notes:
        _node(database).send(notes)


def catcher(url: str) -> Callable[[], None]:
    """A function that delivers, on the calling thread, the notes that have reached this
    process but not yet its followers: called before trusting a cache, it makes a note sent
    before a client was answered count for that client's next request, whichever process
    serves it. PostgreSQL's notes arrive on their own (a no-op)."""
    if not url.startswith("sqlite"):
        return lambda: None
    database = sa.engine.make_url(url).database or ""

    def catch_up() -> None:
        _node(database).catch_up()

    return catch_up


async def follow(
    url: str,
    channel: str,
    on_note: Callable[[str], None],
    on_connect: Callable[[], None],
    *,
    threadsafe: bool = False,
) -> None:
    """Call `on_note` with each payload on `channel`, for ever (until cancelled).

    `on_connect` runs each time notes may have been missed (a PostgreSQL LISTEN being
    (re)established, a full queue on SQLite), so the follower catches up. With
    `threadsafe` the callbacks may run on any thread as soon as a note arrives; otherwise
    on the caller's event loop.
    """
    if url.startswith("sqlite"):
        await _follow_sqlite(url, channel, on_note, on_connect, threadsafe)
    else:
        await _follow_postgresql(url, channel, on_note, on_connect)


async def _follow_postgresql(
    url: str, channel: str, on_note: Callable[[str], None], on_connect: Callable[[], None]
) -> None:
    import psycopg

    conninfo = sa.engine.make_url(url).set(drivername="postgresql")
    dsn = conninfo.render_as_string(hide_password=False)
    backoff = 0.5
    while True:
        try:
            conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
            async with conn:
                await conn.execute(f"LISTEN {channel}")
                backoff = 0.5
                on_connect()
                async for note in conn.notifies():
                    on_note(note.payload)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database went away: retry
            log.warning("the %s listener lost its connection: %s", channel, exc)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, 10.0)


@dataclass(eq=False)
class _Follower:
    channel: str
    on_note: Callable[[str], None]
    on_connect: Callable[[], None]
    loop: asyncio.AbstractEventLoop | None  # None: call on the delivering thread

    def call(self, fn: Callable[..., None], *args: str) -> None:
        try:
            if self.loop is None:
                fn(*args)
            elif not self.loop.is_closed():
                self.loop.call_soon_threadsafe(fn, *args)
        except Exception:
            log.exception("a %s follower failed", self.channel)


async def _follow_sqlite(
    url: str,
    channel: str,
    on_note: Callable[[str], None],
    on_connect: Callable[[], None],
    threadsafe: bool,
) -> None:
    database = sa.engine.make_url(url).database or ""
    loop = None if threadsafe else asyncio.get_running_loop()
    follower = _Follower(channel, on_note, on_connect, loop)
    node = _node(database)
    node.add(follower)
    try:
        on_connect()
        await asyncio.Future()  # until cancelled
    finally:
        node.remove(follower)


class _Node:
    """This process's end of the notes of one SQLite database file."""

    _numbers = itertools.count()

    def __init__(self, database: str) -> None:
        self._followers: list[_Follower] = []
        self._lock = threading.Lock()
        self._peers: list[str] = []
        self._missed: set[str] = set()  # peers whose queue was full: they missed notes
        self.name = f"{os.getpid()}-{next(self._numbers)}"
        self.shared = database not in ("", ":memory:")
        if not self.shared:  # a database no other process can open
            return
        path = Path(database).resolve()
        self._prefix = hashlib.blake2b(str(path).encode(), digest_size=8).hexdigest()
        self.directory = path.parent / f"{path.name}-nodes"
        self.directory.mkdir(parents=True, exist_ok=True)
        self._listed_at = -1
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(self._address(self.name))
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self._socket.setblocking(False)
        self._draining = threading.Lock()
        self._stop_read, self._stop_write = os.pipe()
        self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sender.setblocking(False)
        (self.directory / self.name).touch()
        self._thread = threading.Thread(target=self._receive, name="notes", daemon=True)
        self._thread.start()

    def _address(self, name: str) -> bytes:
        return f"\0podstore-{self._prefix}-{name}".encode()

    def add(self, follower: _Follower) -> None:
        with self._lock:
            self._followers.append(follower)

    def remove(self, follower: _Follower) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._followers.remove(follower)

    def _deliver(self, notes: list[tuple[str, str]], missed: bool) -> None:
        with self._lock:
            followers = list(self._followers)
        for follower in followers:
            if missed:
                follower.call(follower.on_connect)
            for channel, payload in notes:
                if channel == follower.channel:
                    follower.call(follower.on_note, payload)

    def send(self, notes: list[tuple[str, str]]) -> None:
        self._deliver(notes, missed=False)
        peers = self._current_peers()
        datagrams = _pack(notes) if peers else []
        for peer in peers:
            missed = peer in self._missed
            for i, body in enumerate(datagrams):
                head = b"M" if missed and i == 0 else b"N"
                try:
                    self._sender.sendto(head + body, self._address(peer))
                except BlockingIOError:
                    self._missed.add(peer)
                    break
                except (ConnectionRefusedError, FileNotFoundError):  # the process has ended
                    (self.directory / peer).unlink(missing_ok=True)
                    self._listed_at = -1
                    break
            else:
                self._missed.discard(peer)

    def _current_peers(self) -> list[str]:
        if not self.shared:
            return []
        try:
            listed_at = self.directory.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        if listed_at != self._listed_at:
            self._listed_at = listed_at
            self._peers = [p.name for p in self.directory.iterdir() if p.name != self.name]
            self._missed.intersection_update(self._peers)
        return self._peers

    def _receive(self) -> None:
        ready = select.poll()
        ready.register(self._socket, select.POLLIN)
        ready.register(self._stop_read, select.POLLIN)
        while True:
            if any(fd == self._stop_read for fd, _ in ready.poll()):
                return
            self.catch_up()

    def close(self) -> None:
        if not self.shared:
            return
        (self.directory / self.name).unlink(missing_ok=True)
        os.write(self._stop_write, b".")
        self._thread.join(timeout=5)
        for fd in (self._stop_read, self._stop_write):
            os.close(fd)
        self._socket.close()
        self._sender.close()

    def catch_up(self) -> None:
        """Deliver every note waiting in this node's queue, on this thread."""
        if not self.shared:
            return
        with self._draining:  # whoever drains delivers before the others go on
            while True:
                try:
                    data = self._socket.recv(_MAX_DATAGRAM + 1)
                except BlockingIOError:
                    return
                try:
                    notes = [(str(c), str(p)) for c, p in json.loads(data[1:])]
                except ValueError:
                    log.warning("ignored a note that is not JSON: %.80r", data)
                    continue
                self._deliver(notes, missed=data[:1] == b"M")


def _pack(notes: list[tuple[str, str]]) -> list[bytes]:
    """`notes` as JSON lists of at most `_MAX_DATAGRAM` bytes each."""
    out: list[bytes] = []
    part: list[tuple[str, str]] = []
    size = 2
    for note in notes:
        one = len(note[0]) + len(note[1].encode()) + 8
        if part and size + one > _MAX_DATAGRAM:
            out.append(json.dumps(part).encode())
            part, size = [], 2
        part.append(note)
        size += one
    if part:
        out.append(json.dumps(part).encode())
    return out


_NODES: dict[str, _Node] = {}
_USERS: dict[str, int] = {}  # the open Databases of each file in this process
_NODES_LOCK = threading.Lock()


def attach(database: str) -> None:
    """A Database of this process has opened the SQLite file `database`."""
    with _NODES_LOCK:
        _USERS[database] = _USERS.get(database, 0) + 1


def detach(database: str) -> None:
    """A Database of `database` has closed: the last one closes the file's node."""
    with _NODES_LOCK:
        users = _USERS.pop(database, 0) - 1
        if users > 0:
            _USERS[database] = users
            return
        node = _NODES.pop(database, None)
    if node is not None:
        node.close()


def _node(database: str) -> _Node:
    with _NODES_LOCK:
        node = _NODES.get(database)
        if node is None:
            node = _NODES[database] = _Node(database)
        return node


def _forget_nodes() -> None:
    for node in _NODES.values():
        if node.shared:
            (node.directory / node.name).unlink(missing_ok=True)


atexit.register(_forget_nodes)
