"""What the two resumable-upload protocols share: sessions, limits, expiry and the commit.

A session row lives in the metadata store, so any node can continue it. Its chunks are
stored in the blob store as they arrive and listed in `upload_chunks`; until the session
commits or expires they count as referenced for garbage collection (`session_chunk_names`).

The commit builds a `WriteResult` from the session's chunk list and hands it to
`Files.commit`, in one transaction that also closes the session, so a version is visible
completely or not at all, and a retried commit returns the same result.

The version's content hash (BLAKE3 keyed with the pod's dedup key, over the whole plaintext)
cannot be derived from chunk hashes, so it is computed from the data: by an in-process
`HashCursor` fed in file order while chunks arrive, and for whatever the cursor did not see
(chunks the server already had, chunks that reached another node or an earlier process) by
reading those chunks back at commit. Content identical to a version of the same file reuses
that version's hash without reading anything.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import blake3
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access import PodAccess, Role, authorize
from podstore.core.content_type import SNIFF_BYTES, guess
from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Conflict, NotFound, QuotaExceeded, TooManyRequests
from podstore.core.files import Files
from podstore.core.nodes import child, resolve_dir
from podstore.meta.db import UniqueViolation
from podstore.meta.schema import versions
from podstore.meta.uploads_schema import upload_chunks, upload_sessions
from podstore.settings import Settings
from podstore.storage.chunker import Buffer
from podstore.storage.engine import ChunkEngine, PodKeys, StoredChunk, WriteResult
from podstore.storage.manifest import ChunkRef, Manifest

NO_HASH = bytes(32)


def content_hasher(keys: PodKeys) -> blake3.blake3:
    """Same digest as the engine's content hasher."""
    return blake3.blake3(key=keys.dedup_key)


# -- sessions ------------------------------------------------------------------------------


def load_session(
    conn: Connection, actor: Actor, session_id: str, protocol: str
) -> tuple[PodAccess, Row[Any]]:
    """The actor's session and their (editor) access to its pod; expired ones are gone."""
    row = conn.execute(sa.select(upload_sessions).where(upload_sessions.c.id == session_id)).first()
    if row is None or row.user_id != actor.user_id or row.protocol != protocol:
        raise NotFound("no such upload")
    if row.state == "open" and row.expires_at < now():
        raise NotFound("the upload expired", expired=True)
    return authorize(conn, actor, row.pod_id, Role.EDITOR), row


def check_limits(conn: Connection, settings: Settings, actor: Actor, size: int) -> None:
    """Per-user limits on unfinished uploads, checked before a session is created."""
    count, total = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(upload_sessions.c.size), 0))
        .where(upload_sessions.c.user_id == actor.user_id)
        .where(upload_sessions.c.state == "open")
        .where(upload_sessions.c.expires_at >= now())
    ).one()
    if count >= settings.max_upload_sessions:
        raise TooManyRequests(
            f"you have {count} unfinished uploads, the most allowed; finish or cancel one "
            "(DELETE /api/v1/uploads/{id}) or let it expire",
            retry_after=60,
        )
    if total + size > settings.max_unfinished_bytes:
        raise QuotaExceeded(
            f"your unfinished uploads would hold {total + size} bytes, more than the "
            f"{settings.max_unfinished_bytes} allowed; finish or cancel some first"
        )


def open_session(
    conn: Connection,
    settings: Settings,
    actor: Actor,
    *,
    session_id: str,
    pod_id: str,
    protocol: str,
    path: str,
    size: int,
    content_type: str | None,
    ttl: float,
    **extra: Any,
) -> None:
    """Record a new upload session of the actor's, within their limits."""
    check_limits(conn, settings, actor, size)
    t = now()
    conn.execute(
        upload_sessions.insert().values(
            id=session_id,
            user_id=actor.user_id,
            pod_id=pod_id,
            protocol=protocol,
            path=path,
            size=size,
            content_type=content_type[:255] if content_type else None,
            state="open",
            created_at=t,
            updated_at=t,
            expires_at=t + ttl,
            **extra,
        )
    )


def touch(conn: Connection, session_id: str, ttl: float, **values: Any) -> None:
    t = now()
    conn.execute(
        upload_sessions.update()
        .where(upload_sessions.c.id == session_id)
        .values(updated_at=t, expires_at=t + ttl, **values)
    )


def expire_sessions(conn: Connection, at: float | None = None) -> int:
    """Delete sessions past their expiry (open or committed); their chunk lists go too."""
    cutoff = now() if at is None else at
    gone = [
        r
        for r in conn.execute(
            sa.select(upload_sessions.c.id).where(upload_sessions.c.expires_at < cutoff)
        ).scalars()
    ]
    for start in range(0, len(gone), 500):
        batch = gone[start : start + 500]
        conn.execute(upload_chunks.delete().where(upload_chunks.c.session_id.in_(batch)))
        conn.execute(upload_sessions.delete().where(upload_sessions.c.id.in_(batch)))
    return len(gone)


def session_chunk_names(conn: Connection) -> set[str]:
    """Blobs that sessions still hold: their listed chunks and tus tails."""
    names = set(
        conn.execute(
            sa.select(upload_chunks.c.chunk_id).where(upload_chunks.c.present.is_(True)).distinct()
        ).scalars()
    )
    names.update(
        conn.execute(
            sa.select(upload_sessions.c.tail_id).where(upload_sessions.c.tail_id.is_not(None))
        ).scalars()
    )
    return names


# -- content hashing in file order -----------------------------------------------------------


@dataclass
class HashCursor:
    hasher: blake3.blake3
    next_index: int = 0
    next_offset: int = 0
    pending: dict[int, Buffer] = field(default_factory=dict)
    pending_bytes: int = 0
    limit: int | None = None  # the first chunk this process will not see (already stored)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class HashCursors:
    """In-process content hashers of sessions, fed chunk by chunk in file order.

    Chunks that arrive ahead of their cursor wait in memory, up to `max_pending` bytes over
    all sessions; beyond that, or for chunks this process never sees, the commit reads back.
    """

    def __init__(self, capacity: int = 256, max_pending: int = 256 * 1024 * 1024) -> None:
        self._items: OrderedDict[str, HashCursor] = OrderedDict()
        self.capacity = capacity
        self.max_pending = max_pending
        self.pending_bytes = 0

    def start(self, session_id: str, keys: PodKeys, limit: int | None = None) -> HashCursor:
        cursor = self._items[session_id] = HashCursor(content_hasher(keys), limit=limit)
        while len(self._items) > self.capacity:
            self._forget(self._items.popitem(last=False)[1])
        return cursor

    def stop_at(self, session_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Newly listed chunks: the cursor stops at the first one already stored (not sent)."""
        cursor = self._items.get(session_id)
        first = next((int(r["idx"]) for r in rows if r["present"]), None)
        if cursor is not None and first is not None and cursor.limit is None:
            cursor.limit = first

    def get(self, session_id: str) -> HashCursor | None:
        return self._items.get(session_id)

    def drop(self, session_id: str) -> None:
        cursor = self._items.pop(session_id, None)
        if cursor is not None:
            self._forget(cursor)

    def _forget(self, cursor: HashCursor) -> None:
        self.pending_bytes -= cursor.pending_bytes
        cursor.pending.clear()
        cursor.pending_bytes = 0

    async def feed(self, session_id: str, index: int, data: Buffer) -> None:
        cursor = self._items.get(session_id)
        if cursor is None:
            return
        async with cursor.lock:
            if index < cursor.next_index or index in cursor.pending:
                return
            if index > cursor.next_index:
                if cursor.limit is not None and index > cursor.limit:
                    return  # the cursor stops at `limit`: the commit reads back from there
                if self.pending_bytes + len(data) <= self.max_pending:
                    cursor.pending[index] = data
                    cursor.pending_bytes += len(data)
                    self.pending_bytes += len(data)
                return
            await asyncio.to_thread(cursor.hasher.update, data)
            cursor.next_index += 1
            cursor.next_offset += len(data)
            while cursor.next_index in cursor.pending:
                piece = cursor.pending.pop(cursor.next_index)
                cursor.pending_bytes -= len(piece)
                self.pending_bytes -= len(piece)
                await asyncio.to_thread(cursor.hasher.update, piece)
                cursor.next_index += 1
                cursor.next_offset += len(piece)


class MarkBatcher:
    """Group commit of "chunk stored" marks: concurrent chunk requests share a transaction.

    A request returns once its mark is durable; marks that arrive while a transaction is
    being written go together into the next one.
    """

    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx
        self._queue: list[tuple[str, list[tuple[str, int]], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def mark(self, session_id: str, stored: list[tuple[str, int]]) -> None:
        """Mark chunks (name, stored size) of a session as present, durably."""
        if not stored:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((session_id, stored, done))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        ttl = self.ctx.settings.upload_session_ttl_seconds
        while self._queue:
            batch, self._queue = self._queue, []

            def write(conn: Connection, batch: list[tuple[str, Any, Any]] = batch) -> None:
                for session_id, stored, _ in batch:
                    for chunk_id, stored_size in stored:
                        conn.execute(
                            upload_chunks.update()
                            .where(upload_chunks.c.session_id == session_id)
                            .where(upload_chunks.c.chunk_id == chunk_id)
                            .values(present=True, stored_size=stored_size)
                        )
                for session_id in {item[0] for item in batch}:
                    touch(conn, session_id, ttl)

            try:
                await self.ctx.db.write(write)
            except Exception as exc:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for *_, done in batch:
                    if not done.done():
                        done.set_result(None)


# -- commit ------------------------------------------------------------------------------------


def chunk_refs(rows: Sequence[Row[Any]]) -> tuple[ChunkRef, ...]:
    return tuple(ChunkRef(bytes.fromhex(r.chunk_id), r.offset, r.size) for r in rows)


def _known_hash(
    conn: Connection, access: PodAccess, parts: list[str], refs: tuple[ChunkRef, ...], size: int
) -> bytes | None:
    """The content hash of a version of the same file with exactly these chunks, if any."""
    try:
        parent = resolve_dir(conn, access, parts[:-1])
    except NotFound:
        return None
    node = child(conn, parent.id, parts[-1])
    if node is None or node.kind != "file":
        return None
    rows = conn.execute(
        sa.select(versions.c.content_hash, versions.c.manifest)
        .where(versions.c.node_id == node.id, versions.c.size == size)
        .order_by(versions.c.number.desc())
        .limit(20)
    ).all()
    ids = [ref.id for ref in refs]
    for row in rows:
        manifest = Manifest.from_bytes(row.manifest)
        if [ref.id for ref in manifest.chunks] == ids:
            return bytes(row.content_hash)
    return None


async def _read_back(
    engine: ChunkEngine, keys: PodKeys, manifest: Manifest, start: int, end: int
) -> bytes:
    return b"".join([piece async for piece in engine.read(manifest, keys, start, end)])


@dataclass(frozen=True)
class Prepared:
    result: WriteResult
    kind: str


async def prepare_result(
    ctx: CoreContext,
    access: PodAccess,
    keys: PodKeys,
    parts: list[str],
    refs: tuple[ChunkRef, ...],
    stored_sizes: dict[str, int],
    size: int,
    content_type: str | None,
    cursor: HashCursor | None,
) -> Prepared:
    """The WriteResult of a session whose chunks are all stored: hash, sniff, inline."""
    engine = ctx.engine
    draft = Manifest(size=size, content_hash=NO_HASH, chunks=refs)
    head = b"" if content_type else await _read_back(engine, keys, draft, 0, SNIFF_BYTES)
    kind = content_type or guess(parts[-1], head)
    if size < engine.inline_threshold:
        plain = await _read_back(engine, keys, draft, 0, size)
        digest = blake3.blake3(plain, key=keys.dedup_key).digest()
        sealed = engine.seal_inline(plain, keys, digest)
        return Prepared(WriteResult(Manifest(size, digest, inline=sealed), ()), kind)
    digest_or_none = await ctx.db.read(lambda c: _known_hash(c, access, parts, refs, size))
    if digest_or_none is None:
        if cursor is not None:
            async with cursor.lock:
                hasher, start = cursor.hasher.copy(), cursor.next_offset
        else:
            hasher, start = content_hasher(keys), 0
        async for piece in engine.read(draft, keys, start, size):
            await asyncio.to_thread(hasher.update, piece)
        digest_or_none = hasher.digest()
    stored = tuple(
        StoredChunk(
            ref.id, ref.size, stored_sizes.get(ref.name, 0), stored_sizes.get(ref.name, 0) > 0
        )
        for ref in refs
    )
    manifest = Manifest(size=size, content_hash=digest_or_none, chunks=refs)
    return Prepared(WriteResult(manifest, stored), kind)


async def commit_session(
    ctx: CoreContext,
    files: Files,
    actor: Actor,
    row: Row[Any],
    prepared: Prepared,
) -> dict[str, Any]:
    """Close the session and commit its version in one transaction; idempotent on retry."""
    from podstore.core.names import split_path

    parts = split_path(row.path)
    ttl = ctx.settings.upload_session_ttl_seconds

    def tx(conn: Connection) -> dict[str, Any]:
        closed = conn.execute(
            upload_sessions.update()
            .where(upload_sessions.c.id == row.id, upload_sessions.c.state == "open")
            .values(state="committed", tail_id=None, tail_size=0)
        ).rowcount
        if closed != 1:
            done = conn.execute(
                sa.select(upload_sessions.c.result).where(upload_sessions.c.id == row.id)
            ).scalar()
            if done is None:
                raise NotFound("no such upload")
            return dict(done)
        info = files.commit(conn, actor, row.pod_id, parts, prepared.result, prepared.kind)
        info = {**info, "upload_id": row.id}
        touch(conn, row.id, ttl, result=info, received=row.size)
        conn.execute(upload_chunks.delete().where(upload_chunks.c.session_id == row.id))
        return info

    try:
        return await ctx.db.write(tx)
    except UniqueViolation as exc:
        raise Conflict("the file was created concurrently; try again") from exc
