"""What the two resumable-upload protocols share: sessions, limits, expiry and the commit.

A session row lives in the metadata store, so any node can continue it. Its chunks are
stored in the blob store as they arrive and listed in `upload_chunks`; until the session
commits or expires they count as referenced for garbage collection (`session_chunk_names`).

The commit builds a `WriteResult` from the session's chunk list and hands it to
`Files.commit`, in one transaction that also closes the session, so a version is visible
completely or not at all, and a retried commit returns the same result.

The version's content hash is the engine's hash of the chunk list (`chunk_list_hash`), so
the commit of a file of any size reads no content: chunks may have arrived in any order, on
any node, in an earlier session, or not at all because the pod had them. Only content below
the inline threshold is read back (to be sealed inline), and the first bytes when the type
has to be sniffed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import blake3
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import PodAccess, Role, authorize
from podstore.core.context import Actor, CoreContext, iso, now
from podstore.core.errors import Expired, NotFound, QuotaExceeded, TooManyRequests
from podstore.core.records import FileWritten, NodeInfo
from podstore.core.tree.content_type import SNIFF_BYTES, guess
from podstore.core.tree.files import Files, write_racing
from podstore.meta.uploads_schema import upload_chunks, upload_sessions
from podstore.settings import Settings
from podstore.storage.engine import (
    ChunkEngine,
    PodKeys,
    StoredChunk,
    WriteResult,
    chunk_list_hash,
)
from podstore.storage.manifest import ChunkRef, Manifest

NO_HASH = bytes(32)


# -- sessions ------------------------------------------------------------------------------


def load_session(
    conn: Connection, actor: Actor, session_id: str, protocol: str
) -> tuple[PodAccess, Row[Any]]:
    """The actor's session and their (editor) access to its pod; expired ones are gone."""
    row = conn.execute(sa.select(upload_sessions).where(upload_sessions.c.id == session_id)).first()
    if row is None or row.user_id != actor.user_id or row.protocol != protocol:
        raise NotFound("no such upload")
    if row.state == "open" and row.expires_at < now():
        raise Expired("the upload expired", expired_at=row.expires_at)
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


_MARK = (
    upload_chunks.update()
    .where(upload_chunks.c.session_id == sa.bindparam("b_session"))
    .where(upload_chunks.c.chunk_id == sa.bindparam("b_chunk"))
    .values(present=True, stored_size=sa.bindparam("b_size"))
)


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
                marks = [
                    {"b_session": session_id, "b_chunk": chunk_id, "b_size": stored_size}
                    for session_id, stored, _ in batch
                    for chunk_id, stored_size in stored
                ]
                conn.execute(_MARK, marks)
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
    keys: PodKeys,
    name: str,
    refs: tuple[ChunkRef, ...],
    stored_sizes: dict[str, int],
    size: int,
    content_type: str | None,
) -> Prepared:
    """The WriteResult of a session whose chunks are all stored: hash, sniff, inline."""
    engine = ctx.engine
    draft = Manifest(size=size, content_hash=NO_HASH, chunks=refs)
    head = b"" if content_type else await _read_back(engine, keys, draft, 0, SNIFF_BYTES)
    kind = content_type or guess(name, head)
    if size < engine.inline_threshold:
        plain = await _read_back(engine, keys, draft, 0, size)
        digest = blake3.blake3(plain, key=keys.dedup_key).digest()
        sealed = engine.seal_inline(plain, keys, digest)
        return Prepared(WriteResult(Manifest(size, digest, inline=sealed), ()), kind)
    sizes = [stored_sizes.get(ref.name, 0) for ref in refs]
    stored = tuple(StoredChunk(r.id, r.size, n, n > 0) for r, n in zip(refs, sizes, strict=True))
    manifest = Manifest(size, chunk_list_hash(keys.dedup_key, refs), chunks=refs)
    return Prepared(WriteResult(manifest, stored), kind)


async def commit_session(
    ctx: CoreContext,
    files: Files,
    actor: Actor,
    row: Row[Any],
    prepared: Prepared,
) -> FileWritten:
    """Close the session and commit its version in one transaction; idempotent on retry."""
    from podstore.core.names import split_path

    parts = split_path(row.path)
    ttl = ctx.settings.upload_session_ttl_seconds

    def tx(conn: Connection) -> FileWritten:
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
            return written_of(done)
        written = files.commit(conn, actor, row.pod_id, parts, prepared.result, prepared.kind)
        stored = stored_result(written, row.id)
        touch(conn, row.id, ttl, result=stored, received=row.size)
        conn.execute(upload_chunks.delete().where(upload_chunks.c.session_id == row.id))
        # read back as a retry will, so that every answer for this upload is the same
        return written_of(stored)

    return await write_racing(ctx.db, tx)


def stored_result(written: FileWritten, upload_id: str) -> dict[str, Any]:
    """What a committed session keeps to answer a retried commit or a status, as JSON
    (in the layout sessions have always stored, so rows written before read the same)."""
    node = written.node
    return {
        "id": node.id,
        "name": node.name,
        "type": node.kind,
        "size": node.size,
        "modified": iso(node.modified_at),
        "created": iso(node.created_at),
        "content_type": node.content_type,
        "version_id": node.version_id,
        "parent_id": node.parent_id,
        "starred": node.starred,
        "version": written.version,
        "new_file": written.new_file,
        "stored_bytes": written.stored_bytes,
        "upload_id": upload_id,
    }


def written_of(stored: dict[str, Any]) -> FileWritten:
    """The record a committed session's `stored_result` holds."""
    node = NodeInfo(
        id=stored["id"],
        name=stored["name"],
        kind=stored["type"],
        size=stored["size"],
        modified_at=datetime.fromisoformat(stored["modified"]).timestamp(),
        created_at=datetime.fromisoformat(stored["created"]).timestamp(),
        content_type=stored["content_type"],
        version_id=stored["version_id"],
        parent_id=stored["parent_id"],
        starred=stored["starred"],
    )
    return FileWritten(node, stored["version"], stored["new_file"], stored["stored_bytes"])
