"""The SQLite writer: one thread, and writes waiting at the same time share one transaction.

Group commit: while one transaction commits (an fsync), new writes queue up; the thread
then runs up to `max_batch` of them in one transaction, each inside its own SAVEPOINT, so a
write that fails is rolled back alone and the others still commit. A write learns its
outcome only once the shared COMMIT has succeeded; if the COMMIT fails, they all fail.
The batch's after-commit hooks run and its notes go out (`notify.flush`) before any write of
it is answered, so a change's notes reach every process before its client hears of it.

Several processes may each run a writer on one database. They take turns through `flock`
on a file beside the database, which the kernel hands to the next waiter the moment it is
released (SQLite's own busy handler polls, sleeping up to 100 ms), and a writer gathers its
batch once its turn has come, so the writes that queued meanwhile share its commit.
`BEGIN IMMEDIATE` still takes SQLite's write lock up front and `busy_timeout` waits for it
while some other program (the CLI) writes.
"""

from __future__ import annotations

import fcntl
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection, Engine

from podstore.meta import notify

log = logging.getLogger("podstore.db")
Hooks = list[Callable[[], None]]


@dataclass
class _Job:
    fn: Callable[[Connection], Any]
    future: Future[Any] = field(default_factory=Future)
    result: Any = None
    error: BaseException | None = None
    hooks: Hooks = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class WriterHold:
    """How long the writer's transactions have held SQLite's write lock (for /metrics)."""

    batches: int = 0
    waits: int = 0  # turns that another process's writer had
    seconds_waiting: float = 0.0
    seconds_total: float = 0.0
    seconds_max: float = 0.0


class GroupWriter:
    def __init__(
        self,
        engine: Engine,
        hooks_key: str,
        translate: Callable[[BaseException], BaseException],
        max_batch: int = 64,
    ) -> None:
        self.engine = engine
        self.hooks_key = hooks_key
        self.translate = translate
        self.max_batch = max_batch
        self.database = engine.url.database or ""
        shared = self.database not in ("", ":memory:")
        self._turns = open(f"{self.database}-lock-writer", "a") if shared else None  # noqa: SIM115
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._conn: Connection | None = None  # held across batches; opened anew after a failure
        self.hold = WriterHold()
        self._thread = threading.Thread(target=self._run, name="db-writer", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[Connection], Any]) -> Future[Any]:
        job = _Job(fn)
        self._queue.put(job)
        return job.future

    def is_writer_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._close()
            if self._turns is not None:
                self._turns.close()

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            batch = [job]
            stop = False
            with self._turn():
                while len(batch) < self.max_batch:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    batch.append(more)
                if self._conn is None:
                    self._conn = self.engine.connect()
                committed = self._commit(self._conn, batch)
            self._answer(batch)
            if not committed:
                self._close()
            if stop:
                return

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """This process's turn at the database, among the processes writing to it."""
        if self._turns is None:
            yield
            return
        started = time.perf_counter()
        try:
            fcntl.flock(self._turns, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(self._turns, fcntl.LOCK_EX)
            self.hold.waits += 1
            self.hold.seconds_waiting += time.perf_counter() - started
        try:
            yield
        finally:
            fcntl.flock(self._turns, fcntl.LOCK_UN)

    def _close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                log.exception("closing the writer's connection failed")
            self._conn = None

    def _commit(self, conn: Connection, batch: list[_Job]) -> bool:
        """Run a batch in one transaction; False if the transaction itself failed."""
        live = [job for job in batch if job.future.set_running_or_notify_cancel()]
        committed = True
        started = time.perf_counter()
        try:
            with conn.begin():
                # savepoints straight on the driver: SQLAlchemy's cost more than the writes
                driver = conn.connection.driver_connection
                assert driver is not None
                for job in live:
                    driver.execute("SAVEPOINT job")
                    try:
                        job.result = job.fn(conn)
                        driver.execute("RELEASE SAVEPOINT job")
                        job.hooks = conn.info.pop(self.hooks_key, [])
                        job.notes = notify.take_pending(conn)
                    except Exception as exc:  # this write alone is undone
                        conn.info.pop(self.hooks_key, None)
                        notify.take_pending(conn)
                        driver.execute("ROLLBACK TO SAVEPOINT job")
                        driver.execute("RELEASE SAVEPOINT job")
                        job.error = exc
        except Exception as exc:  # the shared COMMIT failed: nothing was written
            committed = False
            for job in live:
                job.error = job.error or exc
        held = time.perf_counter() - started
        self.hold.batches += 1
        self.hold.seconds_total += held
        self.hold.seconds_max = max(self.hold.seconds_max, held)
        return committed

    def _answer(self, batch: list[_Job]) -> None:
        """After the commit, out of turn: run the hooks, send the notes, answer the writes."""
        live = [job for job in batch if job.future.running()]
        done = [job for job in live if job.error is None]
        for job in done:
            for hook in job.hooks:
                try:
                    hook()
                except Exception:
                    log.exception("an after-commit hook failed")
        try:
            notify.flush(self.database, [note for job in done for note in job.notes])
        except Exception:
            log.exception("sending the notes of a batch failed")
        for job in live:
            if job.error is not None:
                job.future.set_exception(self.translate(job.error))
            else:
                job.future.set_result(job.result)
