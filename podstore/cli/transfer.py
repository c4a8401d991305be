"""`podstore put` and `podstore get`: files and whole folders, with progress bars.

`put` uses the chunk-list handshake (api/native/uploads.py): the file is cut into chunks
with the pod's parameters and hashed locally, the server answers which chunks it lacks, and
only those are sent, in parallel. The chunk list and session id are kept in a small state
file (XDG state dir), keyed by server, pod, path, size and mtime, so a re-run of an
interrupted `put` continues where it stopped without hashing again, and an unchanged file is
re-uploaded without reading it. Small files (inline on the server) go in one plain PUT.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from podstore.cli.chunking import ChunkSender, batches, hashed_along, hashed_chunks
from podstore.cli.client import ApiError, Client, q

PIECE = 1024 * 1024
STATE_MAX_AGE = 30 * 24 * 3600
MIN_BATCH = 8 * 1024 * 1024
MAX_BATCH = 64 * 1024 * 1024  # when the server does not say how big a request may be
PROBE_FIRST = 8  # chunks of a re-upload compared alone first, before hashing the rest
PROBE_BATCH = 10_000  # chunks asked about per request (~1 MB of JSON)


def batch_size(size: int, jobs: int, max_request: int) -> int:
    """Bytes of consecutive chunks sent per request.

    As many as the server takes, since each request costs a round trip and a durable
    write, but few enough that every job gets two or more requests of the file.
    """
    return min(max_request, max(MIN_BATCH, size // (2 * jobs)))


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
    bytes_resent: int = 0  # chunks sent again after a request failed (a node or store away)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def summary(self) -> str:
        return (
            f"sent {self.chunks_sent} chunk(s), {self.bytes_sent} bytes; "
            f"skipped {self.chunks_skipped} chunk(s), {self.bytes_skipped} bytes already stored"
            + (f"; resumed {self.resumed} upload(s)" if self.resumed else "")
            + (f"; {self.bytes_resent} bytes sent again" if self.bytes_resent else "")
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


# -- the handshake ---------------------------------------------------------------------------


def chunk_file(local: Path, params: dict[str, Any]) -> list[list[Any]]:
    """[[size, hex BLAKE3], ...] of the file's content-defined chunks."""
    return [[size, digest] for size, digest in hashed_chunks(local, params)]


class Uploader:
    def __init__(self, client: Client, jobs: int = 4, fresh: bool = False) -> None:
        self.client = client
        self.jobs = max(1, jobs)
        self.fresh = fresh
        self.batch_bytes = MIN_BATCH
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
            state = {"params": params, "chunks": None, "session": None}
        self.batch_bytes = batch_size(
            size, self.jobs, int(params.get("max_request_bytes", MAX_BATCH))
        )
        if state["chunks"] is None and params.get("declare_in_parts"):
            if not state["session"]:  # a resumed run goes on with the cuts it declared
                state["known"] = self._along_remote(local, pod, remote, progress, task)
            known = state.get("known") or []
            upload_id = self._stream(local, pod, remote, size, state, where, progress, task, known)
        else:
            if state["chunks"] is None:  # a server that takes the whole list at once
                progress.update(task, note=f"hashing {local.name}")
                state["chunks"] = chunk_file(local, params)
            status = self._session(pod, remote, size, state, where)
            upload_id = status["id"]
            offsets = _offsets(state["chunks"])
            with self._sender(upload_id, local, progress, task) as sender:
                self._skip(state["chunks"], status["missing"], progress, task)
                sender.submit(batches(status["missing"], offsets, self.batch_bytes), offsets)
                sender.wait()
        self._commit(upload_id, local, _offsets(state["chunks"]), progress, task)
        state["session"] = None
        save_state(where, state)  # kept: an unchanged file is re-uploaded without hashing

    def _along_remote(
        self, local: Path, pod: str, remote: str, progress: Progress, task: TaskID
    ) -> list[tuple[int, str]]:
        """The first chunks of `local`, cut where the file already at `remote` is cut, as far
        as the pod has them all: an unchanged file is then known without cutting it, and an
        edited one is cut only from its first changed chunk on. Hashing along known cuts
        costs a third of cutting. The first few chunks are asked about alone, so a wholly
        different file costs little more than cutting it."""
        try:
            layout = self.client.call("GET", f"/pods/{q(pod)}/layout/{q(remote)}")
        except ApiError:
            return []  # nothing there (or a folder, or an older server): cut the file
        sizes: list[int] = layout.get("chunks") or []
        progress.update(task, note=f"comparing {local.name} with the copy there")
        known: list[tuple[int, str]] = []
        for part in (sizes[:PROBE_FIRST], sizes[PROBE_FIRST:]):
            guessed = hashed_along(local, part, start=sum(n for n, _ in known))
            missing = self._missing(pod, guessed)
            known += guessed[: min(missing, default=len(guessed))]
            if missing or len(guessed) < len(part):
                break
        return known

    def _missing(self, pod: str, chunks: list[tuple[int, str]]) -> list[int]:
        """Indexes of `chunks` the pod lacks (asked in requests of PROBE_BATCH chunks)."""
        missing: list[int] = []
        for first in range(0, len(chunks), PROBE_BATCH):
            batch = chunks[first : first + PROBE_BATCH]
            answer = self.client.call(  # a question: safe to ask again
                "POST",
                f"/pods/{q(pod)}/chunks/missing",
                json={"chunks": _decl(batch)},
                idempotent=True,
            )
            missing += [first + i for i in answer["missing"]]
        return missing

    def _stream(
        self,
        local: Path,
        pod: str,
        remote: str,
        size: int,
        state: dict[str, Any],
        where: Path,
        progress: Progress,
        task: TaskID,
        known: list[tuple[int, str]],
    ) -> str:
        """Cut, hash, declare and send at once: the first chunks go while the rest are cut.

        The chunk list is declared in parts (`more`), the first as soon as it fills one
        request, then `jobs` requests' worth at a time. Chunks an interrupted run declared are
        not declared again, and of those only the ones the server lacks are sent. `known`
        chunks (cut along the copy on the server) come first; the rest are cut after them.
        """
        status = self._open_session(state)
        upload_id: str | None = status["id"] if status else None
        declared = int(status["chunks"]) if status else 0
        lacking = set(status["missing"]) if status else set()
        chunks: list[list[Any]] = []
        offsets = [0]
        upto = 0  # chunks [0, upto) are declared (or were before) and on their way
        with contextlib.ExitStack() as stack:
            sender: ChunkSender | None = None
            start = sum(length for length, _ in known)
            rest = hashed_chunks(local, state["params"], start)
            for length, digest in itertools.chain(known, rest):
                chunks.append([length, digest])
                offsets.append(offsets[-1] + length)
                step = self.batch_bytes * (1 if upload_id is None else self.jobs)
                # known chunks need no sending: declared together, in as few requests as fit
                gather = len(chunks) < len(known) and len(chunks) - upto < PROBE_BATCH
                if (gather or offsets[-1] - offsets[upto] < step) and offsets[-1] < size:
                    continue
                begin, upto = upto, len(chunks)
                more = offsets[-1] < size
                if upload_id is None:
                    body = {"path": remote, "size": size, "chunks": _decl(chunks), "more": more}
                    created = self.client.call(
                        "POST", f"/pods/{q(pod)}/uploads", json=body, idempotent=True
                    )
                    upload_id = state["session"] = created["id"]
                    save_state(where, state)
                    missing = list(created["missing"])
                else:
                    missing = [i for i in range(begin, min(declared, len(chunks))) if i in lacking]
                    start = max(begin, declared)
                    if start < len(chunks):
                        body = {"start": start, "chunks": _decl(chunks[start:]), "more": more}
                        added = self.client.call(
                            "POST", f"/uploads/{upload_id}/chunks", json=body, idempotent=True
                        )
                        missing += added["missing"]
                if sender is None:
                    sender = stack.enter_context(self._sender(upload_id, local, progress, task))
                self._skip(chunks[begin:], [i - begin for i in missing], progress, task)
                sender.submit(batches(missing, offsets, self.batch_bytes), offsets)
            if upload_id is None or offsets[-1] != size:
                raise ValueError(f"{local} changed while it was being uploaded")
            state["chunks"] = chunks
            state.pop("known", None)
            save_state(where, state)
            if sender is not None:
                sender.wait()
        return upload_id

    def _skip(
        self, chunks: list[list[Any]], missing: list[int], progress: Progress, task: TaskID
    ) -> None:
        """Account for the chunks of `chunks` not in `missing` (indexes into `chunks`)."""
        wanted = set(missing)
        skipped = sum(chunks[i][0] for i in range(len(chunks)) if i not in wanted)
        with self.stats.lock:
            self.stats.chunks_skipped += len(chunks) - len(wanted)
            self.stats.bytes_skipped += skipped
        progress.advance(task, skipped)
        self._note(progress, task)

    def _sender(self, upload_id: str, local: Path, progress: Progress, task: TaskID) -> ChunkSender:
        def sent(count: int, length: int) -> None:
            with self.stats.lock:
                self.stats.chunks_sent += count
                self.stats.bytes_sent += length
            progress.advance(task, length)
            self._note(progress, task)

        def resent(length: int) -> None:
            with self.stats.lock:
                self.stats.bytes_resent += length

        return ChunkSender(
            self.client.http, Client.check, upload_id, local, self.jobs, sent, resent
        )

    def _note(self, progress: Progress, task: TaskID) -> None:
        s = self.stats
        progress.update(
            task, note=f"sent {_mib(s.bytes_sent)}, dedup skipped {_mib(s.bytes_skipped)}"
        )

    def _open_session(self, state: dict[str, Any]) -> dict[str, Any] | None:
        """The status of the state's session if it is still open (a resumed upload)."""
        if not state.get("session"):
            return None
        try:
            status: dict[str, Any] = self.client.call("GET", f"/uploads/{state['session']}")
        except ApiError as exc:
            if exc.status != 404:
                raise
            return None
        if status["state"] != "open":
            return None
        with self.stats.lock:
            self.stats.resumed += 1
        return status

    def _session(
        self, pod: str, remote: str, size: int, state: dict[str, Any], where: Path
    ) -> dict[str, Any]:
        status = self._open_session(state)
        if status is not None:
            return status
        body = {"path": remote, "size": size, "chunks": _decl(state["chunks"])}
        created: dict[str, Any] = self.client.call(
            "POST", f"/pods/{q(pod)}/uploads", json=body, idempotent=True
        )
        state["session"] = created["id"]
        save_state(where, state)
        return created

    def _commit(
        self, upload_id: str, local: Path, offsets: list[int], progress: Progress, task: TaskID
    ) -> None:
        for _ in range(2):
            try:
                self.client.call("POST", f"/uploads/{upload_id}/commit", idempotent=True)
                return
            except ApiError as exc:
                if exc.status != 409:
                    raise
            # chunks went missing in between (e.g. sent to a node that lost them): resend
            missing = self.client.call("GET", f"/uploads/{upload_id}")["missing"]
            with self._sender(upload_id, local, progress, task) as sender:
                sender.submit(batches(missing, offsets, self.batch_bytes), offsets)
                sender.wait()
        self.client.call("POST", f"/uploads/{upload_id}/commit", idempotent=True)


def _decl(chunks: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    return [{"size": n, "hash": h} for n, h in chunks]


def _offsets(chunks: list[list[Any]]) -> list[int]:
    offsets = [0]
    for length, _ in chunks:
        offsets.append(offsets[-1] + length)
    return offsets


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
