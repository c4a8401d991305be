"""`podstore put` and `podstore get`: files and whole folders, with progress bars.

`put` uses the chunk-list handshake (api/native/uploads.py): the file is cut into chunks
with the pod's parameters and hashed locally, the server answers which chunks it lacks, and
only those are sent, in parallel. The chunk list and session id are kept in a small state
file (XDG state dir), keyed by server, pod, path, size and mtime, so a re-run of an
interrupted `put` continues where it stopped without hashing again, and an unchanged file is
re-uploaded without reading it. Small files (inline on the server) go in one plain PUT.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import blake3
import httpx
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from podstore.cli.client import ApiError, Client, q
from podstore.storage.chunker import ChunkParams, make_cdc

PIECE = 1024 * 1024
STATE_MAX_AGE = 30 * 24 * 3600
RETRIES = 4
BATCH = 16 * 1024 * 1024  # consecutive missing chunks go together up to this many bytes


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[note]}"),
    )


def _read(path: Path, progress: Progress, task: TaskID) -> Iterator[bytes]:
    with path.open("rb") as source:
        while piece := source.read(PIECE):
            progress.advance(task, len(piece))
            yield piece


@dataclass
class PutStats:
    files: int = 0
    chunks_sent: int = 0
    bytes_sent: int = 0
    chunks_skipped: int = 0
    bytes_skipped: int = 0
    resumed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def summary(self) -> str:
        return (
            f"sent {self.chunks_sent} chunk(s), {self.bytes_sent} bytes; "
            f"skipped {self.chunks_skipped} chunk(s), {self.bytes_skipped} bytes already stored"
            + (f"; resumed {self.resumed} upload(s)" if self.resumed else "")
        )


# -- local state ----------------------------------------------------------------------------


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "podstore" / "uploads"


def state_file(server: str, pod: str, path: str, local: Path) -> Path:
    st = local.stat()
    key = "\0".join([server, pod, path, str(st.st_size), str(st.st_mtime_ns)])
    return state_dir() / (hashlib.sha256(key.encode()).hexdigest()[:40] + ".json")


def load_state(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def save_state(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(data))
    temp.replace(path)


def prune_states(max_age: float = STATE_MAX_AGE) -> None:
    cutoff = time.time() - max_age
    try:
        for item in state_dir().glob("*.json"):
            if item.stat().st_mtime < cutoff:
                item.unlink(missing_ok=True)
    except OSError:
        pass


# -- chunking --------------------------------------------------------------------------------


def chunk_file(local: Path, params: dict[str, Any], workers: int = 2) -> list[list[Any]]:
    """[[size, hex BLAKE3], ...] of the file's content-defined chunks."""
    size = local.stat().st_size
    if size == 0:
        return []
    cdc = make_cdc(ChunkParams(params["min_size"], params["avg_size"], params["max_size"]))
    with local.open("rb") as source, mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as m:
        view = memoryview(m)
        try:
            cuts = [(c.offset, c.length) for c in cdc.cut_buf(view)]
            with ThreadPoolExecutor(workers) as pool:
                hashes = list(
                    pool.map(lambda c: blake3.blake3(view[c[0] : c[0] + c[1]]).hexdigest(), cuts)
                )
        finally:
            view.release()
    return [[length, digest] for (_, length), digest in zip(cuts, hashes, strict=True)]


# -- the handshake ---------------------------------------------------------------------------


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


class Uploader:
    def __init__(self, client: Client, jobs: int = 4, fresh: bool = False) -> None:
        self.client = client
        self.jobs = max(1, jobs)
        self.fresh = fresh
        self.batch_bytes = BATCH
        self.params: dict[str, dict[str, Any] | None] = {}
        self.stats = PutStats()

    def pod_params(self, pod: str) -> dict[str, Any] | None:
        if pod not in self.params:
            try:
                self.params[pod] = self.client.call("GET", f"/pods/{q(pod)}/chunk-params")
            except ApiError as exc:
                if exc.status not in (404, 405):
                    raise
                self.params[pod] = None  # an older server: plain PUT
        return self.params[pod]

    def put_file(
        self, local: Path, pod: str, remote: str, progress: Progress, task: TaskID
    ) -> None:
        size = local.stat().st_size
        params = self.pod_params(pod)
        if params is None or size < params["inline_threshold"]:
            self.client.upload(pod, remote, _read(local, progress, task), size)
            with self.stats.lock:
                self.stats.bytes_sent += size
            return
        where = state_file(self.client.url, pod, remote, local)
        state = None if self.fresh else load_state(where)
        if state is None or state.get("params") != params:
            progress.update(task, note=f"hashing {local.name}")
            state = {"params": params, "chunks": chunk_file(local, params), "session": None}
            save_state(where, state)
        self.batch_bytes = min(BATCH, int(params.get("max_request_bytes", BATCH)))
        status = self._session(pod, remote, size, state, where)
        missing = [int(i) for i in status["missing"]]
        chunks = state["chunks"]
        offsets = [0]
        for length, _ in chunks:
            offsets.append(offsets[-1] + length)
        wanted = set(missing)
        skipped = sum(chunks[i][0] for i in range(len(chunks)) if i not in wanted)
        with self.stats.lock:
            self.stats.chunks_skipped += len(chunks) - len(missing)
            self.stats.bytes_skipped += skipped
        progress.advance(task, skipped)
        self._note(progress, task)
        self._send(status["id"], local, missing, chunks, offsets, progress, task)
        self._commit(status["id"], local, chunks, offsets, progress, task)
        state["session"] = None
        save_state(where, state)  # kept: an unchanged file is re-uploaded without hashing

    def _note(self, progress: Progress, task: TaskID) -> None:
        s = self.stats
        progress.update(
            task, note=f"sent {_mib(s.bytes_sent)}, dedup skipped {_mib(s.bytes_skipped)}"
        )

    def _session(
        self, pod: str, remote: str, size: int, state: dict[str, Any], where: Path
    ) -> dict[str, Any]:
        if state.get("session"):
            try:
                status: dict[str, Any] = self.client.call("GET", f"/uploads/{state['session']}")
                if status["state"] == "open":
                    with self.stats.lock:
                        self.stats.resumed += 1
                    return status
            except ApiError as exc:
                if exc.status != 404:
                    raise
        body = {
            "path": remote,
            "size": size,
            "chunks": [{"size": n, "hash": h} for n, h in state["chunks"]],
        }
        status = self.client.call("POST", f"/pods/{q(pod)}/uploads", json=body)
        state["session"] = status["id"]
        save_state(where, state)
        return status

    def _send(
        self,
        upload_id: str,
        local: Path,
        indexes: list[int],
        chunks: list[list[Any]],
        offsets: list[int],
        progress: Progress,
        task: TaskID,
    ) -> None:
        if not indexes:
            return
        fd = os.open(local, os.O_RDONLY)
        try:

            def send(group: list[int]) -> None:
                start = offsets[group[0]]
                length = offsets[group[-1] + 1] - start
                data = os.pread(fd, length, start)
                if len(data) != length:
                    raise ValueError(f"{local} changed while it was being uploaded")
                for attempt in range(RETRIES):
                    try:
                        self.client.call(
                            "PUT",
                            f"/uploads/{upload_id}/chunks/{group[0]}",
                            content=data,
                            headers={"Content-Type": "application/octet-stream"},
                        )
                        break
                    except httpx.TransportError:
                        if attempt == RETRIES - 1:
                            raise
                        time.sleep(0.5 * 2**attempt)
                with self.stats.lock:
                    self.stats.chunks_sent += len(group)
                    self.stats.bytes_sent += length
                progress.advance(task, length)
                self._note(progress, task)

            with ThreadPoolExecutor(self.jobs) as pool:
                groups = batches(sorted(indexes), offsets, self.batch_bytes)
                for future in [pool.submit(send, g) for g in groups]:
                    future.result()
        finally:
            os.close(fd)

    def _commit(
        self,
        upload_id: str,
        local: Path,
        chunks: list[list[Any]],
        offsets: list[int],
        progress: Progress,
        task: TaskID,
    ) -> None:
        for _ in range(2):
            try:
                self.client.call("POST", f"/uploads/{upload_id}/commit")
                return
            except ApiError as exc:
                if exc.status != 409:
                    raise
            # chunks went missing in between (e.g. sent to a node that lost them): resend
            missing = self.client.call("GET", f"/uploads/{upload_id}")["missing"]
            self._send(upload_id, local, missing, chunks, offsets, progress, task)
        self.client.call("POST", f"/uploads/{upload_id}/commit")


def _mib(n: int) -> str:
    return f"{n / 1048576:.1f} MiB"


def put(
    client: Client,
    local: Path,
    pod: str,
    target: str,
    *,
    jobs: int = 4,
    fresh: bool = False,
    raw: bool = False,
) -> PutStats:
    """Upload a file or a folder tree (resuming interrupted uploads); returns what was sent."""
    if local.is_dir():
        files = sorted(p for p in local.rglob("*") if p.is_file())
        pairs = [
            (p, f"{target.rstrip('/')}/{p.relative_to(local).as_posix()}".lstrip("/"))
            for p in files
        ]
        for folder in sorted({p.parent for p in files} | {local}):
            rel = folder.relative_to(local).as_posix()
            path = f"{target.rstrip('/')}/{rel}" if rel != "." else target
            if path.strip("/"):
                client.call(
                    "POST", f"/pods/{pod}/mkdir/{path.strip('/')}", params={"parents": True}
                )
    else:
        if not local.is_file():
            raise FileNotFoundError(local)
        pairs = [(local, target or local.name)]
    prune_states()
    uploader = Uploader(client, jobs=jobs, fresh=fresh)
    if raw:
        uploader.params = {pod: None}
    total = sum(p.stat().st_size for p, _ in pairs)
    with progress_bar() as progress:
        overall = progress.add_task(f"put {len(pairs)} file(s)", total=total, note="")
        for source, remote in pairs:
            uploader.put_file(source, pod, remote, progress, overall)
            uploader.stats.files += 1
    return uploader.stats


def _fetch(
    client: Client, pod: str, remote: str, local: Path, progress: Progress, task: TaskID
) -> None:
    local.parent.mkdir(parents=True, exist_ok=True)
    partial = local.with_name(local.name + ".podstore-part")
    with client.download(pod, remote) as response:
        if response.status_code >= 400:
            response.read()
            client.check(response)
        with partial.open("wb") as out:
            for piece in response.iter_bytes(PIECE):
                out.write(piece)
                progress.advance(task, len(piece))
            out.flush()
            os.fsync(out.fileno())
    partial.replace(local)


def get(client: Client, pod: str, remote: str, local: Path) -> int:
    """Download a file or a folder tree; returns the number of files written."""
    info: dict[str, Any] = (
        client.call("GET", f"/pods/{pod}/stat/{remote}") if remote.strip("/") else {"type": "dir"}
    )
    pairs: list[tuple[str, Path, int]] = []
    if info["type"] == "file":
        dest = local / info["name"] if local.is_dir() else local
        pairs.append((remote, dest, info["size"]))
    else:
        pending = [(remote.strip("/"), local)]
        while pending:
            folder, dest = pending.pop()
            dest.mkdir(parents=True, exist_ok=True)
            for item in client.list_all(pod, folder):
                child = f"{folder}/{item['name']}" if folder else item["name"]
                if item["type"] == "dir":
                    pending.append((child, dest / item["name"]))
                else:
                    pairs.append((child, dest / item["name"], item["size"]))
    with progress_bar() as progress:
        total = sum(s for _, _, s in pairs)
        overall = progress.add_task(f"get {len(pairs)} file(s)", total=total, note="")
        for remote_path, dest, _ in pairs:
            _fetch(client, pod, remote_path, dest, progress, overall)
    return len(pairs)
