"""Cutting and hashing a local file for the upload handshake, and sending its chunks.

`hashed_chunks` cuts the file (memory-mapped, no copies; a large one on two cores) with the
pod's chunking parameters and hashes the chunks on another thread while it cuts the next
ones, yielding them in file order as they are ready, so the caller can declare and send the
first chunks while the rest of the file is still being read. `hashed_along` hashes a file
along cuts it already has (those of the copy on the server), which costs a third of cutting.
`ChunkSender` sends groups of consecutive chunks in parallel, reading each in pieces straight
from the file.
"""

from __future__ import annotations

import mmap
import os
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

import blake3
import httpx

from podstore.cli.client import RETRY_DELAYS, RETRY_STATUSES, dropped
from podstore.storage.chunker import ChunkParams, make_cdc

PIECE = 1024 * 1024
AHEAD = 8  # chunks hashed ahead of the one being cut
SPLIT_FROM = 64 * 1024 * 1024  # files this large are cut from both ends at once
SEAM = 32 * 1024 * 1024  # how far past the middle the first half's cut looks for the second's


def _digest(view: memoryview) -> str:
    try:
        return blake3.blake3(view).hexdigest()
    finally:
        view.release()


def cuts(
    view: memoryview, params: ChunkParams, split_from: int = SPLIT_FROM, seam: int = SEAM
) -> Generator[int, None, None]:
    """The lengths of `view`'s content-defined chunks, in order, as `cut_all` cuts them.

    A large view is cut on two cores (pyfastcdc lets go of the GIL): the second half on a
    thread from its middle, the first on this one. A cut depends only on the bytes since the
    chunk began, so once the first half's cut ends a chunk where the second half's does
    (a few MiB past the middle, as a rule), the second half's chunks are the rest. If it
    does not within `seam`, the rest is cut from the first half's last chunk on.
    """
    size = len(view)
    if size < split_from:
        for cut in make_cdc(params).cut_buf(view):
            yield cut.length
        return
    middle = size // 2
    with ThreadPoolExecutor(1, thread_name_prefix="podstore-cut") as pool:
        second = pool.submit(
            lambda: {middle + c.offset: c.length for c in make_cdc(params).cut_buf(view[middle:])}
        )
        first_end = min(size, middle + seam)
        at = 0
        for cut in make_cdc(params).cut_buf(view[:first_end]):
            if at + cut.length == first_end:
                break  # the view's end, not the content's: no chunk ends here
            yield cut.length
            at += cut.length
            if at > middle and at in second.result():
                rest = second.result()
                while at < size:
                    yield rest[at]
                    at += rest[at]
                return
    for cut in make_cdc(params).cut_buf(view[at:]):
        yield cut.length


def hashed_chunks(local: Path, params: dict[str, Any], start: int = 0) -> Iterator[tuple[int, str]]:
    """(size, hex BLAKE3) of the file's content-defined chunks, in order, as they are ready;
    from byte `start` on, which must be where a chunk begins."""
    if local.stat().st_size <= start:
        return
    chunking = ChunkParams(params["min_size"], params["avg_size"], params["max_size"])
    with (
        local.open("rb") as source,
        mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as m,
        ThreadPoolExecutor(1, thread_name_prefix="podstore-hash") as pool,
    ):
        view = memoryview(m)
        lengths = cuts(view[start:], chunking)
        pending: deque[tuple[int, Future[str]]] = deque()
        offset = start
        try:
            for length in lengths:
                pending.append((length, pool.submit(_digest, view[offset : offset + length])))
                offset += length
                while len(pending) > AHEAD or (pending and pending[0][1].done()):
                    size, digest = pending.popleft()
                    yield size, digest.result()
            while pending:
                size, digest = pending.popleft()
                yield size, digest.result()
        finally:
            for _, future in pending:  # they hold views into the map: let them end first
                future.exception()
            lengths.close()  # its chunkers hold the buffer too
            view.release()


def hashed_along(
    local: Path, sizes: list[int], start: int = 0, jobs: int = 2
) -> list[tuple[int, str]]:
    """(size, hex BLAKE3) of the file from byte `start` cut into chunks of `sizes` (another
    copy's cuts), as far as the file holds whole chunks; on `jobs` threads (BLAKE3 lets go of
    the GIL)."""
    size = local.stat().st_size
    spans: list[tuple[int, int]] = []
    offset = start
    for length in sizes:
        if length <= 0 or offset + length > size:
            break
        spans.append((offset, length))
        offset += length
    if not spans:
        return []
    with local.open("rb") as source, mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as m:
        view = memoryview(m)
        try:
            with ThreadPoolExecutor(jobs, thread_name_prefix="podstore-hash") as pool:
                hashing = pool.map(lambda span: _digest(view[span[0] : sum(span)]), spans)
                digests = list(hashing)
        finally:  # after the pool: its threads hold views into the map until they end
            view.release()
    return [(length, digest) for (_, length), digest in zip(spans, digests, strict=True)]


def batches(indexes: list[int], offsets: list[int], most: int) -> list[list[int]]:
    """Consecutive chunk indexes grouped into requests of at most `most` bytes (or one chunk)."""
    groups: list[list[int]] = []
    for i in indexes:
        last = groups[-1] if groups else None
        if last is not None and last[-1] == i - 1 and offsets[i + 1] - offsets[last[0]] <= most:
            last.append(i)
        else:
            groups.append([i])
    return groups


def _pieces(fd: int, start: int, length: int, local: Path) -> Iterator[bytes]:
    """`length` bytes of the file from `start`, in pieces.

    Pieces, not one body-sized bytes: the HTTP client re-slices a partly sent buffer on every
    send call, which costs time quadratic in the buffer's size.
    """
    end = start + length
    while start < end:
        piece = os.pread(fd, min(PIECE, end - start), start)
        if not piece:
            raise ValueError(f"{local} changed while it was being uploaded")
        start += len(piece)
        yield piece


class ChunkSender:
    """Sends groups of consecutive chunks of one file to an upload session, `jobs` at once."""

    def __init__(
        self,
        http: httpx.Client,
        check: Callable[[httpx.Response], object],
        upload_id: str,
        local: Path,
        jobs: int,
        sent: Callable[[int, int], None],
        resent: Callable[[int], None] = lambda length: None,
    ) -> None:
        self.http = http
        self.check = check
        self.upload_id = upload_id
        self.local = local
        self.sent = sent
        self.resent = resent
        self._fd = os.open(local, os.O_RDONLY)
        self._pool = ThreadPoolExecutor(jobs, thread_name_prefix="podstore-send")
        self._futures: list[Future[None]] = []

    def submit(self, groups: list[list[int]], offsets: list[int]) -> None:
        for group in groups:
            self._futures.append(self._pool.submit(self._send, group, offsets))

    def _send(self, group: list[int], offsets: list[int]) -> None:
        """One request of consecutive chunks. After a dropped connection or a 502, 503 or
        504 (the node behind a load balancer went away, the store is down for a moment) the
        chunks the server still lacks are sent again, and only those."""
        runs = [group]
        for delay in (*RETRY_DELAYS, None):
            failed = [run for run in runs if not self._put(run, offsets, last=delay is None)]
            if not failed:
                return
            assert delay is not None
            time.sleep(delay)
            runs = self._still_missing(failed, offsets)
            self.resent(sum(offsets[run[-1] + 1] - offsets[run[0]] for run in runs))

    def _put(self, run: list[int], offsets: list[int], last: bool) -> bool:
        """Send chunks `run`; False on a failure worth another try (unless `last`)."""
        start = offsets[run[0]]
        length = offsets[run[-1] + 1] - start
        try:
            response = self.http.put(
                f"/uploads/{self.upload_id}/chunks/{run[0]}",
                content=_pieces(self._fd, start, length, self.local),
                headers={"Content-Type": "application/octet-stream", "Content-Length": str(length)},
            )
        except httpx.TransportError as exc:
            if last or not dropped(exc):
                raise
            return False
        if not last and response.status_code in RETRY_STATUSES:
            return False
        self.check(response)
        self.sent(len(run), length)
        return True

    def _still_missing(self, runs: list[list[int]], offsets: list[int]) -> list[list[int]]:
        """The parts of `runs` the server lacks (it keeps what a cut request stored), as runs
        of consecutive chunks; all of `runs` if it cannot say."""
        try:
            status = self.http.get(f"/uploads/{self.upload_id}")
            lacking = set(status.json()["missing"]) if status.status_code == 200 else None
        except (httpx.TransportError, ValueError, KeyError):
            lacking = None
        if lacking is None:
            return runs
        out: list[list[int]] = []
        for run in runs:
            arrived = [i for i in run if i not in lacking]
            self.sent(len(arrived), sum(offsets[i + 1] - offsets[i] for i in arrived))
            out += batches([i for i in run if i in lacking], offsets, offsets[-1])
        return out

    def wait(self) -> None:
        """Until everything submitted is sent; the first failure is raised."""
        futures, self._futures = self._futures, []
        for future in futures:
            future.result()

    def __enter__(self) -> ChunkSender:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for future in self._futures:
            future.cancel()
        self._pool.shutdown(wait=True)
        os.close(self._fd)
