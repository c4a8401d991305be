"""tus 1.0 uploads: a byte stream appended at an offset, fed to the storage engine as it comes.

Each PATCH body goes through a content-defined chunker (the engine's parameters, so the
chunks and their dedup are the same as a plain upload's); every chunk is stored in the blob
store as soon as it is cut and appended to the session's chunk list. What is left after the
last cut (the tail, below one chunk) is stored as a blob of its own (encrypted like any
chunk) when the request ends, and read back to be chunked with the next PATCH.

Durability: `Upload-Offset` is the `received` column, which only ever counts bytes stored in
blobs that the session lists: while a PATCH streams, it advances at each stored chunk; when
the PATCH ends or the client goes away, the tail is stored and it advances to the last byte
received. After a crash it is therefore at most one chunker block behind what the client
sent, never ahead, and the client resends from there. A PATCH carrying `Upload-Checksum`
changes nothing until its checksum has been verified at the end of the body; on a mismatch
(or a cut connection) its bytes are dropped and the offset stays where it was.

On the last byte the version is committed in one transaction (core/upload_sessions.py);
its content hash comes from the chunk list, so PATCHes may land on any node or process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import PodAccess, PodKeyCache, Role, authorize
from podstore.core.context import Actor, CoreContext, new_id, now
from podstore.core.errors import ChecksumMismatch, Conflict, Invalid, OffsetMismatch
from podstore.core.names import split_path
from podstore.core.records import APPEND_CHECKSUMS, AppendState, FileWritten
from podstore.core.tree.files import Files
from podstore.core.tree.quota import check_quota
from podstore.core.uploads.handshake import Uploads
from podstore.core.uploads.sessions import (
    NO_HASH,
    commit_session,
    load_session,
    open_session,
    prepare_result,
    touch,
    written_of,
)
from podstore.meta.uploads_schema import upload_chunks, upload_sessions
from podstore.storage.chunker import Buffer, StreamChunker
from podstore.storage.engine import PodKeys, StoredChunk
from podstore.storage.manifest import ChunkRef, Manifest

PROTOCOL = "tus"


def _state(row: Row[Any], offset: int | None = None) -> AppendState:
    done = row.state == "committed"
    return AppendState(
        id=row.id,
        offset=row.size if done else (row.received if offset is None else offset),
        length=row.size,
        metadata=row.tus_metadata,
        expires_at=row.expires_at,
        done=done,
        result=None if row.result is None else written_of(row.result),
    )


@dataclass
class _Patch:
    """One PATCH in progress: the chunk list so far and what is durably stored."""

    row: Row[Any]
    rows: list[dict[str, Any]]
    durable: int  # the session's `received` in the database
    chunk_end: int  # offset where the un-chunked bytes start


class Tus:
    def __init__(self, ctx: CoreContext, keys: PodKeyCache, files: Files, uploads: Uploads) -> None:
        self.ctx = ctx
        self.keycache = keys
        self.files = files
        self.uploads = uploads
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def ttl(self) -> int:
        return self.ctx.settings.upload_session_ttl_seconds

    async def create(
        self,
        actor: Actor,
        pod: str,
        length: int,
        metadata: dict[str, str],
        raw_metadata: str | None,
    ) -> AppendState:
        path = metadata.get("path") or metadata.get("filename") or ""
        parts = split_path(path)
        if not parts:
            raise Invalid("Upload-Metadata needs the target path (path or filename)")
        if length < 0:
            raise Invalid("Upload-Length must be a non-negative integer")
        kind = metadata.get("content_type") or metadata.get("filetype") or None
        session_id = new_id()

        def insert(conn: Connection) -> tuple[PodAccess, Row[Any]]:
            access = authorize(conn, actor, pod, Role.EDITOR)
            check_quota(conn, access, length)
            open_session(
                conn,
                self.ctx.settings,
                actor,
                session_id=session_id,
                pod_id=access.pod_id,
                protocol=PROTOCOL,
                path="/".join(parts),
                size=length,
                content_type=kind,
                ttl=self.ttl,
                tus_metadata=raw_metadata,
            )
            row = conn.execute(
                sa.select(upload_sessions).where(upload_sessions.c.id == session_id)
            ).one()
            return access, row

        access, row = await self.ctx.db.write(insert)
        if length == 0:
            keys = self.keycache.keys(access, actor)
            await self._finish(actor, keys, _Patch(row, [], 0, 0))
            return await self.state(actor, session_id)
        return _state(row)

    async def state(self, actor: Actor, session_id: str) -> AppendState:
        def query(conn: Connection) -> AppendState:
            return _state(load_session(conn, actor, session_id, PROTOCOL)[1])

        return await self.ctx.db.read(query)

    async def terminate(self, actor: Actor, session_id: str) -> None:
        await self.uploads.cancel(actor, session_id, PROTOCOL)

    # -- PATCH -------------------------------------------------------------------------------

    async def patch(
        self,
        actor: Actor,
        session_id: str,
        offset: int,
        body: AsyncIterable[bytes],
        checksum: tuple[str, bytes] | None = None,
    ) -> AppendState:
        lock = self._locks.setdefault(session_id, asyncio.Lock())
        try:
            async with lock:
                return await self._patch(actor, session_id, offset, body, checksum)
        finally:
            if not lock.locked():
                self._locks.pop(session_id, None)

    async def _patch(
        self,
        actor: Actor,
        session_id: str,
        offset: int,
        body: AsyncIterable[bytes],
        checksum: tuple[str, bytes] | None,
    ) -> AppendState:
        if checksum is not None and checksum[0] not in APPEND_CHECKSUMS:
            raise Invalid(f"unsupported checksum algorithm {checksum[0]!r}")

        def query(conn: Connection) -> tuple[PodAccess, Row[Any], list[Row[Any]]]:
            access, row = load_session(conn, actor, session_id, PROTOCOL)
            rows = conn.execute(
                sa.select(upload_chunks)
                .where(upload_chunks.c.session_id == session_id)
                .order_by(upload_chunks.c.idx)
            ).all()
            return access, row, list(rows)

        access, row, db_rows = await self.ctx.db.read(query)
        current = row.size if row.state == "committed" else row.received
        if offset != current:
            raise OffsetMismatch(
                f"the append starts at byte {offset}, the upload is at {current}",
                current_offset=current,
            )
        if row.state == "committed":
            return _state(row)
        keys = self.keycache.keys(access, actor)
        state = _Patch(
            row,
            [r._asdict() for r in db_rows],
            row.received,
            row.received - row.tail_size,
        )
        chunker = StreamChunker(self.ctx.engine.params)
        if row.tail_id:
            chunker.push(await self._read_tail(keys, row))
        checker = hashlib.new(checksum[0]) if checksum is not None else None
        received = row.received
        try:
            async for piece in body:
                if received + len(piece) > row.size:
                    raise Invalid("the upload would pass its Upload-Length")
                chunker.push(piece)
                received += len(piece)
                if checker is not None:
                    checker.update(piece)
                if chunker.ready:
                    _, views = await asyncio.to_thread(chunker.take, False)
                    await self._store(keys, state, views)
                    if checker is None and state.chunk_end > state.durable:
                        await self._persist(state, state.chunk_end, None)
        except Exception:
            # keep what arrived (tus: a broken PATCH still advances the offset), unless it
            # cannot be verified; a failure while keeping it leaves the last durable offset,
            # and the original error is the one to report
            if checker is None and received > state.durable:
                with contextlib.suppress(Exception):
                    await self._keep(keys, state, chunker, received)
            raise
        if checker is not None and checksum is not None and checker.digest() != checksum[1]:
            raise ChecksumMismatch(f"the body does not match its {checksum[0]} checksum")
        if received == row.size:
            _, views = await asyncio.to_thread(chunker.take, True)
            await self._store(keys, state, views)
            info = await self._finish(actor, keys, state)
            return AppendState(session_id, row.size, row.size, row.tus_metadata, now(), True, info)
        await self._keep(keys, state, chunker, received)
        return replace(_state(row, received), expires_at=now() + self.ttl)

    async def _read_tail(self, keys: PodKeys, row: Row[Any]) -> bytes:
        ref = ChunkRef(bytes.fromhex(row.tail_id), 0, row.tail_size)
        manifest = Manifest(size=row.tail_size, content_hash=NO_HASH, chunks=(ref,))
        return b"".join([p async for p in self.ctx.engine.read(manifest, keys)])

    async def _store(self, keys: PodKeys, state: _Patch, pieces: Sequence[Buffer]) -> None:
        """Store chunks cut from the stream (views into the chunker's block) and list them."""
        engine = self.ctx.engine
        stored = await asyncio.gather(*(engine.store_cut(p, keys) for p in pieces))
        for data, (plain_hash, chunk) in zip(pieces, stored, strict=True):
            state.rows.append(
                {
                    "session_id": state.row.id,
                    "idx": len(state.rows),
                    "offset": state.chunk_end,
                    "size": len(data),
                    "plain_hash": plain_hash,
                    "chunk_id": chunk.id.hex(),
                    "stored_size": chunk.stored_size if chunk.new else 0,
                    "present": True,
                    "_new": True,
                }
            )
            state.chunk_end += len(data)

    async def _keep(
        self, keys: PodKeys, state: _Patch, chunker: StreamChunker, received: int
    ) -> None:
        """Store every chunk cut so far and the tail, and make the offset `received`."""
        _, views = await asyncio.to_thread(chunker.take, True)
        tail = views.pop() if views else None
        await self._store(keys, state, views)
        tail_chunk = (await self.ctx.engine.store_cut(tail, keys))[1] if tail else None
        assert state.chunk_end + (len(tail) if tail else 0) == received
        await self._persist(state, received, tail_chunk)

    async def _persist(self, state: _Patch, received: int, tail: StoredChunk | None) -> None:
        fresh = [r for r in state.rows if r.pop("_new", False)]
        expected = state.durable
        sid = state.row.id

        def write(conn: Connection) -> None:
            moved = conn.execute(
                upload_sessions.update()
                .where(upload_sessions.c.id == sid, upload_sessions.c.state == "open")
                .where(upload_sessions.c.received == expected)
                .values(
                    received=received,
                    tail_id=tail.id.hex() if tail else None,
                    tail_size=tail.size if tail else 0,
                )
            ).rowcount
            if moved != 1:
                raise Conflict("the upload was changed by another request")
            if fresh:
                conn.execute(upload_chunks.insert(), fresh)
            touch(conn, sid, self.ttl)

        await self.ctx.db.write(write)
        state.durable = received

    async def _finish(
        self,
        actor: Actor,
        keys: PodKeys,
        state: _Patch,
    ) -> FileWritten:
        row = state.row
        rows = sorted(state.rows, key=lambda r: r["idx"])
        refs = tuple(ChunkRef(bytes.fromhex(r["chunk_id"]), r["offset"], r["size"]) for r in rows)
        prepared = await prepare_result(
            self.ctx,
            keys,
            split_path(row.path)[-1],
            refs,
            {r["chunk_id"]: r["stored_size"] for r in rows},
            row.size,
            row.content_type,
        )
        return await commit_session(self.ctx, self.files, actor, row, prepared)
