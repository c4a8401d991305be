"""A hung S3 store fails a request within its bound, with a clear error, instead of holding it.

The store is a TCP listener that answers the bucket check podstore makes at start, then takes
every other request and never answers: a server that hangs while running. Or it answers a GET
with its headers and part of the body, then stalls or closes the connection. The request
counts show what was retried: a write never after a timeout, a read once.
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from podstore.settings import StoreSettings
from podstore.storage.blobstore import BlobStore
from podstore.storage.errors import BackendTimeout, BackendUnavailable
from podstore.storage.memory import MemoryBlobStore
from podstore.storage.open import open_blob_store
from podstore.storage.wrappers import FaultyBlobStore, RetryingBlobStore

BUCKET = "hung"
READ_TIMEOUT = 0.3


class HungS3(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer_bucket_check: bool, partial: str | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer_bucket_check = answer_bucket_check
        self.partial = partial  # "stall" or "cut": a GET's body stops after its first bytes
        self.requests: Counter[str] = Counter()
        self.released = threading.Event()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(socketserver.StreamRequestHandler):
    server: HungS3

    def handle(self) -> None:
        while line := self.rfile.readline():
            method = line.split(b" ", 1)[0].decode()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            bucket_check = line.startswith(f"HEAD /{BUCKET} ".encode())
            if bucket_check and self.server.answer_bucket_check:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                continue
            self.server.requests[method] += 1
            if method == "GET" and self.server.partial:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 10)
                self.wfile.flush()
                if self.server.partial == "cut":
                    return
            self.server.released.wait()  # never answers (or ends the body) while the test runs
            return


@contextmanager
def _serve(answer_bucket_check: bool, partial: str | None = None) -> Iterator[HungS3]:
    server = HungS3(answer_bucket_check, partial)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def hung() -> Iterator[HungS3]:
    with _serve(answer_bucket_check=True) as server:
        yield server


def _open(endpoint: str, tmp_path: Path) -> BlobStore:
    spec = StoreSettings(
        kind="s3",
        endpoint=endpoint,
        bucket=BUCKET,
        access_key="k",
        secret_key="s",
        read_timeout_seconds=READ_TIMEOUT,
    )
    return open_blob_store(spec, tmp_path)


def _fails_within(seconds: float, call: Callable[[], object]) -> BackendUnavailable:
    started = time.monotonic()
    with pytest.raises(BackendUnavailable) as caught:
        call()
    assert time.monotonic() - started < seconds, "the hung store held the request"
    return caught.value


def test_a_write_to_a_hung_store_fails_after_one_timeout(hung: HungS3, tmp_path: Path) -> None:
    store = _open(hung.endpoint, tmp_path)
    assert isinstance(store, RetryingBlobStore) and store.attempts == 4
    error = _fails_within(10, lambda: store.put("ab12", b"payload"))
    assert isinstance(error, BackendTimeout)
    assert "did not answer in time on ab12" in str(error)
    error = _fails_within(10, lambda: store.delete("ab12"))
    assert isinstance(error, BackendTimeout)
    assert hung.requests == {"PUT": 1, "DELETE": 1}


def test_a_read_from_a_hung_store_is_tried_twice(hung: HungS3, tmp_path: Path) -> None:
    store = _open(hung.endpoint, tmp_path)
    assert isinstance(_fails_within(10, lambda: store.get("ab12")), BackendTimeout)
    assert isinstance(_fails_within(10, lambda: store.get_range("ab12", 0, 10)), BackendTimeout)
    assert isinstance(_fails_within(10, lambda: store.exists("ab12")), BackendTimeout)
    assert hung.requests == {"GET": 4, "HEAD": 2}


@pytest.mark.parametrize(
    ("partial", "error", "tries"), [("stall", BackendTimeout, 2), ("cut", BackendUnavailable, 4)]
)
def test_a_body_that_stops_short_is_a_store_failure_not_data(
    partial: str, error: type[BackendUnavailable], tries: int, tmp_path: Path
) -> None:
    """Headers and 10 of 100 bytes, then nothing more or a closed connection: the read fails
    as the store's (retried by its kind), never with the 10 bytes nor an error of the HTTP
    library's that no front end maps (a 500)."""
    with _serve(answer_bucket_check=True, partial=partial) as server:
        store = _open(server.endpoint, tmp_path)
        assert type(_fails_within(10, lambda: store.get("ab12"))) is error
        assert type(_fails_within(10, lambda: store.get_range("ab12", 0, 100))) is error
        assert server.requests == {"GET": 2 * tries}


def test_starting_against_a_hung_store_fails_with_a_clear_error(tmp_path: Path) -> None:
    with _serve(answer_bucket_check=False) as server:
        endpoint = server.endpoint
        error = _fails_within(10, lambda: _open(endpoint, tmp_path))
        assert f"S3 bucket '{BUCKET}' unreachable" in str(error)
        assert server.requests == {"HEAD": 1}


@pytest.mark.parametrize(
    ("error", "op", "calls"),
    [
        (BackendUnavailable, "put", 4),  # refused, 5xx: retried with backoff on every path
        (BackendUnavailable, "get", 4),
        (BackendTimeout, "put", 1),
        (BackendTimeout, "delete", 1),
        (BackendTimeout, "get", 2),
    ],
)
def test_retry_policy(error: type[BackendUnavailable], op: str, calls: int) -> None:
    inner = FaultyBlobStore(MemoryBlobStore())
    inner.fail(op, error=error, repeat=True)
    store = RetryingBlobStore(inner, attempts=4, sleep=lambda _s: None)
    args: tuple[object, ...] = ("ab12", b"x") if op == "put" else ("ab12",)
    with pytest.raises(error):
        getattr(store, op)(*args)
    assert inner.calls[op] == calls
