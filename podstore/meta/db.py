"""Access to the metadata database: one writer, readers in parallel (datasette's pattern).

Callers pass a plain function of a `Connection`; `read` runs it on a reader connection in a
worker thread, `write` runs it inside one transaction on the writer. On SQLite the writer is
a single thread holding `BEGIN IMMEDIATE`, so writes never contend for the lock; on
PostgreSQL writes go through the pool like reads.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from podstore.meta import notify
from podstore.meta.errors import DatabaseUnavailable, UniqueViolation
from podstore.meta.writer import GroupWriter, WriterHold

T = TypeVar("T")
log = logging.getLogger("podstore.db")
_AFTER_COMMIT = "podstore_after_commit"


def _sqlite_engine(url: str, *, writer: bool) -> Engine:
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=2 if writer else 8,  # the group writer's, and one for migrations
        max_overflow=0 if writer else 8,
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL" if not writer else "PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.connection.driver_connection.execute(  # type: ignore[union-attr]
            "BEGIN IMMEDIATE" if writer else "BEGIN"
        )

    return engine


def after_commit(conn: Connection, hook: Callable[[], None]) -> None:
    """Run `hook` once the transaction of `conn` (opened by `Database.write`) commits."""
    conn.info.setdefault(_AFTER_COMMIT, []).append(hook)


def _take_hooks(conn: Connection) -> list[Callable[[], None]]:
    """The after-commit hooks `conn` holds, taken off it (its info outlives the
    transaction). None from a connection the database dropped: asking it would raise over
    the error that dropped it, and its hooks go with it."""
    if conn.invalidated:
        return []
    hooks: list[Callable[[], None]] = conn.info.pop(_AFTER_COMMIT, [])
    return hooks


def _is_unique_violation(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate key" in text


_SQLITE_UNAVAILABLE = ("locked", "busy", "disk i/o", "unable to open", "disk is full")


def _is_unavailable(exc: BaseException) -> bool:
    """The database is out of reach (down, restarting, dropped us, out of connections),
    as opposed to a mistake in a statement or a constraint it enforced."""
    if isinstance(exc, sa.exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)):
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(word in str(exc.orig).lower() for word in _SQLITE_UNAVAILABLE)
    return True


def _driver_base(exc: BaseException) -> type[Exception] | None:
    """The DB-API base error class of an error raised by the driver itself (`Prepared`
    statements run on the driver's connection, so SQLAlchemy does not wrap their errors)."""
    for module in ("sqlite3", "psycopg"):
        if type(exc).__module__.split(".")[0] == module:
            base: type[Exception] = __import__(module).Error
            return base if isinstance(exc, base) else None
    return None


def _translate(original: BaseException) -> BaseException:
    exc = original
    base = _driver_base(exc)
    if base is not None and isinstance(exc, Exception):
        exc = DBAPIError.instance(None, None, exc, base)
    if isinstance(exc, IntegrityError) and _is_unique_violation(exc):
        return UniqueViolation(str(exc.orig))
    if _is_unavailable(exc):
        return DatabaseUnavailable(str(getattr(exc, "orig", exc) or exc).strip())
    return original


@contextmanager
def _driver_errors() -> Iterator[None]:
    """The driver's errors as the ones callers tell apart (see `_translate`)."""
    try:
        yield
    except Exception as exc:
        translated = _translate(exc)
        if translated is exc:
            raise
        raise translated from exc


def _read_in(conn: Connection, fn: Callable[[Connection], T]) -> T:
    # begun up front: statements run by `Prepared` bypass SQLAlchemy's autobegin
    with conn.begin() as transaction:
        result = fn(conn)
        transaction.rollback()
        return result


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._group: GroupWriter | None = None
        if self.is_sqlite:
            notify.attach(self._file)
            self.writer_engine = _sqlite_engine(url, writer=True)
            self.reader_engine = _sqlite_engine(url, writer=False)
            self._group = GroupWriter(self.writer_engine, _AFTER_COMMIT, _translate)
        else:
            self.writer_engine = self.reader_engine = sa.create_engine(
                url, pool_size=16, max_overflow=16, pool_pre_ping=True
            )
        self._write_pool = ThreadPoolExecutor(16, thread_name_prefix="db-writer")  # PostgreSQL
        self._read_pool = ThreadPoolExecutor(8, thread_name_prefix="db-reader")
        self._lock = threading.Lock()
        self._here = threading.local()
        self._held: list[Connection] = []  # the per-thread readers of `read_now`

    @property
    def _file(self) -> str:
        return sa.engine.make_url(self.url).database or ""

    @property
    def dialect(self) -> str:
        return self.writer_engine.dialect.name

    @property
    def writer_hold(self) -> WriterHold | None:
        """The single writer's lock hold times (SQLite); None where writes go through a pool."""
        return self._group.hold if self._group is not None else None

    def read_sync(self, fn: Callable[[Connection], T]) -> T:
        with _driver_errors(), self.reader_engine.connect() as conn:
            return _read_in(conn, fn)

    def write_sync(self, fn: Callable[[Connection], T]) -> T:
        if self._group is not None:  # SQLite: the one writer, so writes never contend
            if self._group.is_writer_thread():
                raise RuntimeError("write_sync inside a write would wait for itself")
            result: T = self._group.submit(fn).result()
            return result
        return self._write_now(fn)

    def _write_now(self, fn: Callable[[Connection], T]) -> T:
        hooks: list[Callable[[], None]] = []
        with _driver_errors(), self.writer_engine.begin() as conn:
            try:
                result = fn(conn)
            finally:
                hooks = _take_hooks(conn)
        for hook in hooks:  # committed: tell the listeners
            try:
                hook()
            except Exception:
                log.exception("an after-commit hook failed")
        return result

    async def read(self, fn: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_pool, functools.partial(self.read_sync, fn))

    async def read_now(self, fn: Callable[[Connection], T]) -> T:
        """`read` for a few indexed point lookups, on a reader connection the running thread
        keeps (no pool checkout, no pre-ping). On SQLite (microseconds a lookup) it runs on
        the calling thread, since a hop to a reader thread costs more than the lookups. On
        PostgreSQL, where every statement is a network round trip, it runs on a reader
        thread, in autocommit: no BEGIN and ROLLBACK round trips for a few lookups that need
        no snapshot in common."""
        if self.is_sqlite:
            return self._read_here(fn)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_pool, self._read_here, fn)

    def _read_here(self, fn: Callable[[Connection], T]) -> T:
        for attempt in (1, 2):
            try:
                with _driver_errors():
                    return _read_in(self._kept_reader(), fn)
            except DatabaseUnavailable:
                # the kept connection was lost (a database restart): reads may run again
                self._here.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _kept_reader(self) -> Connection:
        conn: Connection | None = getattr(self._here, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self._here.conn = self.reader_engine.connect()
            if not self.is_sqlite:
                conn.execution_options(isolation_level="AUTOCOMMIT")
            with self._lock:
                self._held = [c for c in self._held if not c.closed] + [conn]
        return conn

    async def write(self, fn: Callable[[Connection], T]) -> T:
        if self._group is not None:
            result: T = await asyncio.wrap_future(self._group.submit(fn))
            return result
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._write_pool, functools.partial(self._write_now, fn))

    async def analyze(self, *tables: sa.Table) -> None:
        """Refresh the planner's statistics of `tables` after a bulk load, on PostgreSQL,
        whose planner otherwise believes a freshly loaded table is nearly empty (and picks
        nested loops over a million rows). SQLite plans these queries well without them."""
        if self.is_sqlite:
            return
        quote = self.writer_engine.dialect.identifier_preparer.quote

        def run(conn: Connection) -> None:
            for table in tables:
                conn.exec_driver_sql(f"ANALYZE {quote(table.name)}")

        await self.write(run)

    def migrate(self) -> None:
        from podstore.meta.migrate import upgrade

        with self._lock:
            upgrade(self.writer_engine)

    def close(self) -> None:
        if self._group is not None:
            self._group.close()
        self._read_pool.shutdown(wait=True)
        self._write_pool.shutdown(wait=True)
        with self._lock:
            for conn in self._held:
                conn.close()
            self._held.clear()
        self.reader_engine.dispose()
        if self.writer_engine is not self.reader_engine:
            self.writer_engine.dispose()
        if self.is_sqlite:
            notify.detach(self._file)


def migrate_database(url: str) -> None:
    """Bring the database at `url` to the newest schema (`podstore serve` runs this in a
    process of its own, which needs nothing above this layer)."""
    db = Database(url)
    try:
        db.migrate()
    finally:
        db.close()
