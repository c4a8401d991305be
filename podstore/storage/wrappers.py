"""Blob stores that wrap another one: retries of transient failures, and fault injection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from podstore.storage.blobstore import BlobInfo, BlobStore, Buffer
from podstore.storage.errors import BackendTimeout, BackendUnavailable, StorageError

T = TypeVar("T")


class WrappedBlobStore(BlobStore):
    """Forwards everything to `inner`; subclasses override what they change."""

    def __init__(self, inner: BlobStore) -> None:
        self.inner = inner

    def _call(self, op: str, fn: Callable[[], T]) -> T:
        return fn()

    def put(self, name: str, data: Buffer) -> None:
        self._call("put", lambda: self.inner.put(name, data))

    def get(self, name: str) -> bytes:
        return self._call("get", lambda: self.inner.get(name))

    def get_in_thread_buffer(self, name: str, *, once: bool = False) -> Buffer:
        return self._call("get", lambda: self.inner.get_in_thread_buffer(name, once=once))

    def get_range(self, name: str, offset: int, length: int) -> bytes:
        return self._call("get_range", lambda: self.inner.get_range(name, offset, length))

    def exists(self, name: str) -> bool:
        return self._call("exists", lambda: self.inner.exists(name))

    def delete(self, name: str) -> None:
        self._call("delete", lambda: self.inner.delete(name))

    def list(self, prefix: str = "") -> Iterator[str]:
        return iter(self._call("list", lambda: list(self.inner.list(prefix))))

    def stat(self, name: str) -> BlobInfo:
        return self._call("stat", lambda: self.inner.stat(name))

    def touch(self, name: str) -> None:
        self._call("touch", lambda: self.inner.touch(name))

    def close(self) -> None:
        self.inner.close()


def unwrap(store: BlobStore) -> Iterator[BlobStore]:
    """The store and every store it wraps, outermost first."""
    while True:
        yield store
        if not isinstance(store, WrappedBlobStore):
            return
        store = store.inner


READS = frozenset({"get", "get_range", "exists", "stat", "list"})


class RetryingBlobStore(WrappedBlobStore):
    """Retries BackendUnavailable with exponential backoff; other errors pass at once.

    A timeout (BackendTimeout) is retried at most `timeout_retries` times, and only on reads:
    a write that timed out may have happened, and retrying it would hold the request another
    full timeout. So a hung store fails a write after one timeout and a read after two.
    """

    def __init__(
        self,
        inner: BlobStore,
        *,
        attempts: int = 4,
        timeout_retries: int = 1,
        base_delay: float = 0.05,
        max_delay: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(inner)
        self.attempts = attempts
        self.timeout_retries = timeout_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep

    def _call(self, op: str, fn: Callable[[], T]) -> T:
        timeouts_left = self.timeout_retries if op in READS else 0
        for attempt in range(self.attempts - 1):
            try:
                return fn()
            except BackendTimeout:
                if timeouts_left == 0:
                    raise
                timeouts_left -= 1
            except BackendUnavailable:
                pass
            self._sleep(min(self.base_delay * 2**attempt, self.max_delay))
        return fn()


@dataclass
class Fault:
    op: str  # "put", "get", ... or "*" for every operation
    nth: int  # 1-based: the nth call of `op` (counted from when the fault was added)
    kind: str = "error"  # "error" | "torn" (put writes a prefix, then fails) | "flip" (get)
    error: type[StorageError] = BackendUnavailable
    repeat: bool = False  # also every call after the nth
    seen: int = 0


class FaultyBlobStore(WrappedBlobStore):
    """Injects failures into chosen calls of the wrapped store, for tests."""

    def __init__(self, inner: BlobStore) -> None:
        super().__init__(inner)
        self.faults: list[Fault] = []
        self.calls: dict[str, int] = {}
        self._lock = threading.Lock()

    def fail(
        self,
        op: str,
        nth: int = 1,
        *,
        kind: str = "error",
        error: type[StorageError] = BackendUnavailable,
        repeat: bool = False,
    ) -> Fault:
        fault = Fault(op, nth, kind, error, repeat)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def _due(self, op: str) -> Fault | None:
        with self._lock:
            self.calls[op] = self.calls.get(op, 0) + 1
            for fault in self.faults:
                if fault.op in (op, "*"):
                    fault.seen += 1
                    if fault.seen == fault.nth or (fault.repeat and fault.seen > fault.nth):
                        return fault
        return None

    def _call(self, op: str, fn: Callable[[], T]) -> T:
        fault = self._due(op)
        if fault is not None and fault.kind == "error":
            raise fault.error(f"injected failure of {op} #{fault.seen}")
        return fn()

    def put(self, name: str, data: Buffer) -> None:
        fault = self._due("put")
        if fault is None:
            self.inner.put(name, data)
        elif fault.kind == "torn":
            self.inner.put(name, bytes(data[: len(data) // 2]))
            raise fault.error(f"injected torn write of {name}")
        else:
            raise fault.error(f"injected failure of put #{fault.seen}")

    def get(self, name: str) -> bytes:
        fault = self._due("get")
        if fault is None:
            return self.inner.get(name)
        if fault.kind == "flip":
            data = bytearray(self.inner.get(name))
            if data:
                data[len(data) // 2] ^= 0x01
            return bytes(data)
        raise fault.error(f"injected failure of get #{fault.seen}")

    def get_in_thread_buffer(self, name: str, *, once: bool = False) -> Buffer:
        return self.get(name)
