"""The chunk-list handshake: resumable, parallel, deduplicating uploads (up2k-like).

1. The client cuts the file with the pod's chunking parameters (`chunk_params`) and sends
   the size and plain BLAKE3 of every chunk (`create`). The server derives each chunk id
   with `chunk_id_for_plain_hash`, and answers which chunks it lacks: those neither
   referenced in the pod nor present in the blob store. Only the first index of a chunk that
   occurs several times is asked for.
2. The client sends the missing chunks, in any order and in parallel (`put_chunk`); each is
   verified against its declared hash and stored as it arrives.
3. `commit` carries no data: it checks every chunk is there and the sizes add up, then makes
   the version visible in one transaction (see core/upload_sessions.py).

An interrupted upload resumes from `status` (same client), or by creating the same session
again (another client): an open session with the same user, pod, path and chunk list is
returned as is, and chunks stored by any earlier session are found present.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import PodAccess, PodKeyCache, Role, authorize
from podstore.core.context import Actor, CoreContext, new_id, now
from podstore.core.errors import ChunksMissing, Conflict, DeclarationIncomplete, Invalid, NotFound
from podstore.core.names import split_path
from podstore.core.records import (
    ChunkParams,
    ChunksDeclared,
    ChunksStored,
    DeclaredChunk,
    FileLayout,
    FileWritten,
    OpenUpload,
    UploadInfo,
)
from podstore.core.tree.files import Files
from podstore.core.tree.quota import check_quota
from podstore.core.uploads.chunk_lists import (
    chunk_rows,
    fingerprint_of,
    listed_before,
    missing_of,
    referenced_in_pod,
    session_rows,
)
from podstore.core.uploads.chunk_receiver import body_rows, once, receive_chunks
from podstore.core.uploads.sessions import (
    MarkBatcher,
    chunk_refs,
    commit_session,
    load_session,
    open_session,
    prepare_result,
    touch,
    written_of,
)
from podstore.meta.errors import UniqueViolation
from podstore.meta.uploads_schema import upload_chunks, upload_sessions
from podstore.storage.engine import PodKeys, StoredChunk, chunk_id_for_plain_hash
from podstore.storage.errors import ChecksumMismatch

__all__ = ["PROTOCOL", "Uploads"]

PROTOCOL = "chunks"
MAX_CHUNKS = 1_000_000
MARK_EVERY_CHUNKS = 4  # about 8 MiB with the default chunk sizes


class Uploads:
    def __init__(self, ctx: CoreContext, keys: PodKeyCache, files: Files) -> None:
        self.ctx = ctx
        self.keycache = keys
        self.files = files
        self.marks = MarkBatcher(ctx)

    @property
    def ttl(self) -> int:
        return self.ctx.settings.upload_session_ttl_seconds

    def params(self) -> ChunkParams:
        p = self.ctx.engine.params
        return ChunkParams(
            algorithm="fastcdc-2020",
            hash="blake3",
            min_size=p.min_size,
            avg_size=p.avg_size,
            max_size=p.max_size,
            fastcdc_avg_size=max(p.avg_size - p.min_size, p.min_size),
            max_request_bytes=self.ctx.settings.max_request_bytes,
            inline_threshold=self.ctx.engine.inline_threshold,
            declare_in_parts=True,
        )

    async def chunk_params(self, actor: Actor, pod: str) -> ChunkParams:
        await self.ctx.db.read(lambda c: authorize(c, actor, pod, Role.EDITOR))
        return self.params()

    # -- a re-upload cut along the file already there -----------------------------------------

    async def layout(self, actor: Actor, pod: str, path: str) -> FileLayout:
        """How the current version of the file at `path` is cut (no chunks when inline), so a
        client re-uploading it can hash along those cuts instead of cutting the file again.
        Whoever may download the file may see this."""
        opened = await self.files.open(actor, pod, path)
        sizes = [c.size for c in opened.manifest.chunks]
        return FileLayout(opened.etag, opened.size, sizes)

    async def missing(self, actor: Actor, pod: str, declared: list[DeclaredChunk]) -> list[int]:
        """The indexes of `declared` chunks the pod lacks, asked before declaring them: a
        client that guessed its file's cuts learns how far the guess holds. The same rights
        as an upload, since it answers what an upload's declaration would."""
        self._validate(0, declared, 0, more=True)  # the chunks alone: no file size yet
        access = await self.ctx.db.read(lambda c: authorize(c, actor, pod, Role.EDITOR))
        keys = self.keycache.keys(access, actor)
        names = [chunk_id_for_plain_hash(keys.dedup_key, c.hash).hex() for c in declared]
        present = await self._present(access.pod_id, set(names))
        return [i for i, name in enumerate(names) if name not in present]

    # -- create and declare ------------------------------------------------------------------

    def _validate(self, size: int, declared: list[DeclaredChunk], total: int, more: bool) -> None:
        """`total`: the bytes declared with these; all of `size` unless `more` will follow."""
        limit = self.ctx.settings.max_request_bytes
        if size < 0 or len(declared) > MAX_CHUNKS:
            raise Invalid("bad size or too many chunks")
        if any(c.size <= 0 or c.size > limit or len(c.hash) != 32 for c in declared):
            raise Invalid(f"every chunk needs 1 to {limit} bytes and a 32-byte BLAKE3 hash")
        if total > size or (total != size and not more):
            raise Invalid("the chunk sizes do not add up to the file size")

    async def _present(self, pod_id: str, names: set[str]) -> set[str]:
        """Chunk names already safe to reference: in use in the pod, or found in the store."""
        ordered = sorted(names)

        found = await self.ctx.db.read(lambda c: referenced_in_pod(c, pod_id, ordered))
        rest = [bytes.fromhex(n) for n in ordered if n not in found]
        found.update(i.hex() for i in await self.ctx.engine.stored_chunks(rest))
        return found

    async def _rows(
        self,
        pod_id: str,
        session_id: str,
        keys: PodKeys,
        declared: list[DeclaredChunk],
        first: int = 0,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """`upload_chunks` rows of chunks declared from index `first`, at byte `offset`."""
        names = [chunk_id_for_plain_hash(keys.dedup_key, c.hash).hex() for c in declared]
        present = await self._present(pod_id, set(names))
        return chunk_rows(session_id, declared, names, present, first, offset)

    async def create(
        self,
        actor: Actor,
        pod: str,
        path: str,
        size: int,
        declared: list[DeclaredChunk],
        content_type: str | None = None,
        more: bool = False,
    ) -> UploadInfo:
        """A session for a file of `size` bytes with these chunks (the first ones, if `more`)."""
        parts = split_path(path)
        if not parts:
            raise Invalid("a file needs a name")
        self._validate(size, declared, sum(c.size for c in declared), more)

        def prepare(conn: Connection) -> PodAccess:
            access = authorize(conn, actor, pod, Role.EDITOR)
            check_quota(conn, access, size)
            return access

        access = await self.ctx.db.read(prepare)
        keys = self.keycache.keys(access, actor)
        fingerprint = None if more else fingerprint_of(parts, size, declared)

        def find(conn: Connection) -> str | None:
            return conn.execute(
                sa.select(upload_sessions.c.id)
                .where(upload_sessions.c.user_id == actor.user_id)
                .where(upload_sessions.c.pod_id == access.pod_id)
                .where(upload_sessions.c.fingerprint == fingerprint)
                .where(upload_sessions.c.state == "open")
                .where(upload_sessions.c.expires_at >= now())
                .limit(1)
            ).scalar()

        existing = None if fingerprint is None else await self.ctx.db.read(find)
        if existing is not None:
            await self.ctx.db.write(lambda c: touch(c, existing, self.ttl))
            return await self.status(actor, existing)
        session_id = new_id()
        rows = await self._rows(access.pod_id, session_id, keys, declared)

        def insert(conn: Connection) -> None:
            open_session(
                conn,
                self.ctx.settings,
                actor,
                session_id=session_id,
                pod_id=access.pod_id,
                protocol=PROTOCOL,
                path="/".join(parts),
                size=size,
                content_type=content_type,
                ttl=self.ttl,
                fingerprint=fingerprint,
            )
            for start in range(0, len(rows), 1000):
                conn.execute(upload_chunks.insert(), rows[start : start + 1000])

        await self.ctx.db.write(insert)
        return await self.status(actor, session_id)

    async def declare(
        self,
        actor: Actor,
        session_id: str,
        start: int,
        declared: list[DeclaredChunk],
        more: bool = False,
    ) -> ChunksDeclared:
        """Add the chunks from index `start` on to a session created with `more`.

        Chunks sent again (a retry) must match what was declared. The list is complete, and
        the session can commit, once the chunk sizes add up to the file size and `more` is
        false. Answers with the indexes among these chunks that the server lacks.
        """

        def query(conn: Connection) -> tuple[PodAccess, Row[Any], int, int, Sequence[Any]]:
            access, row = load_session(conn, actor, session_id, PROTOCOL)
            if row.state != "open":
                raise Conflict("the upload is already committed")
            count, total = conn.execute(
                sa.select(
                    sa.func.count(), sa.func.coalesce(sa.func.sum(upload_chunks.c.size), 0)
                ).where(upload_chunks.c.session_id == session_id)
            ).one()
            again = conn.execute(
                sa.select(upload_chunks.c.size, upload_chunks.c.plain_hash)
                .where(upload_chunks.c.session_id == session_id)
                .where(upload_chunks.c.idx >= start, upload_chunks.c.idx < start + len(declared))
                .order_by(upload_chunks.c.idx)
            ).all()
            return access, row, int(count), int(total), again

        access, row, count, total, again = await self.ctx.db.read(query)
        if not 0 <= start <= count:
            raise DeclarationIncomplete(f"declare the chunks from chunk {count} on", declared=count)
        if any(
            (c.size, c.hash) != (r.size, bytes(r.plain_hash))
            for c, r in zip(declared, again, strict=False)
        ):
            raise Conflict("these chunks were declared with other sizes or hashes")
        new = declared[len(again) :]
        if new and row.fingerprint is not None:
            raise Conflict("the chunk list of this upload is already complete")
        total += sum(c.size for c in new)
        if count + len(new) > MAX_CHUNKS:
            raise Invalid("too many chunks")
        self._validate(row.size, new, total, more or row.fingerprint is not None)
        keys = self.keycache.keys(access, actor)
        rows = await self._rows(
            access.pod_id, session_id, keys, new, count, total - sum(c.size for c in new)
        )
        complete = row.fingerprint is not None or (total == row.size and not more)

        def insert(conn: Connection) -> None:
            for begin in range(0, len(rows), 1000):
                conn.execute(upload_chunks.insert(), rows[begin : begin + 1000])
            if complete and row.fingerprint is None:
                listed = conn.execute(
                    sa.select(upload_chunks.c.size, upload_chunks.c.plain_hash)
                    .where(upload_chunks.c.session_id == session_id)
                    .order_by(upload_chunks.c.idx)
                ).all()
                chunks = [DeclaredChunk(r.size, bytes(r.plain_hash)) for r in listed]
                touch(
                    conn,
                    session_id,
                    self.ttl,
                    fingerprint=fingerprint_of(split_path(row.path), row.size, chunks),
                )
            else:
                touch(conn, session_id, self.ttl)

        try:
            await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            raise Conflict("these chunks were declared concurrently") from exc
        names = [str(r["chunk_id"]) for r in rows]
        seen = await self.ctx.db.read(lambda c: listed_before(c, session_id, set(names), count))
        missing = []
        for r in rows:
            if not r["present"] and r["chunk_id"] not in seen:
                missing.append(int(r["idx"]))
            seen.add(str(r["chunk_id"]))
        return ChunksDeclared(session_id, count + len(new), total, complete, missing)

    # -- status, list, cancel --------------------------------------------------------------

    def _describe(self, row: Row[Any], rows: list[Row[Any]]) -> UploadInfo:
        missing = missing_of(rows) if row.state == "open" else []
        received = sum(r.size for r in rows if r.present) if row.state == "open" else row.size
        return UploadInfo(
            id=row.id,
            path=row.path,
            size=row.size,
            state=row.state,
            chunks=len(rows),
            complete=row.fingerprint is not None or row.state != "open",
            missing=missing,
            missing_bytes=sum(rows[i].size for i in missing),
            received_bytes=received,
            expires_at=row.expires_at,
            chunk_params=self.params(),
            result=None if row.result is None else written_of(row.result),
        )

    async def status(self, actor: Actor, session_id: str) -> UploadInfo:
        def query(conn: Connection) -> UploadInfo:
            _, row = load_session(conn, actor, session_id, PROTOCOL)
            return self._describe(row, session_rows(conn, session_id))

        return await self.ctx.db.read(query)

    async def list_open(self, actor: Actor) -> list[OpenUpload]:
        """The actor's unfinished uploads (both protocols), newest first."""

        def query(conn: Connection) -> list[OpenUpload]:
            got = conn.execute(
                sa.select(upload_sessions)
                .where(upload_sessions.c.user_id == actor.user_id)
                .where(upload_sessions.c.state == "open")
                .where(upload_sessions.c.expires_at >= now())
                .order_by(upload_sessions.c.created_at.desc())
            ).all()
            ids = [r.id for r in got if r.protocol == PROTOCOL]
            stored: dict[str, int] = {}
            for start in range(0, len(ids), 500):
                stored.update(
                    (sid, int(total))
                    for sid, total in conn.execute(
                        sa.select(upload_chunks.c.session_id, sa.func.sum(upload_chunks.c.size))
                        .where(upload_chunks.c.session_id.in_(ids[start : start + 500]))
                        .where(upload_chunks.c.present.is_(True))
                        .group_by(upload_chunks.c.session_id)
                    ).all()
                )
            return [
                OpenUpload(
                    id=r.id,
                    protocol=r.protocol,
                    path=r.path,
                    size=r.size,
                    received_bytes=stored.get(r.id, 0) if r.protocol == PROTOCOL else r.received,
                    expires_at=r.expires_at,
                )
                for r in got
            ]

        return await self.ctx.db.read(query)

    async def cancel(self, actor: Actor, session_id: str, protocol: str = PROTOCOL) -> None:
        def delete(conn: Connection) -> None:
            load_session(conn, actor, session_id, protocol)
            conn.execute(upload_chunks.delete().where(upload_chunks.c.session_id == session_id))
            conn.execute(upload_sessions.delete().where(upload_sessions.c.id == session_id))

        await self.ctx.db.write(delete)

    # -- chunks and commit -------------------------------------------------------------------

    async def put_chunk(
        self,
        actor: Actor,
        session_id: str,
        index: int,
        body: bytes | AsyncIterable[bytes],
        length: int | None = None,
    ) -> ChunksStored:
        """Store chunk `index`, or several consecutive chunks from `index` sent as one body.

        `body` may be the bytes or the body as it arrives (`length` bytes, if declared); each
        chunk is verified and stored as soon as it is whole (core/chunk_receiver.py).
        """
        if isinstance(body, bytes):
            length, body = len(body), once(body)
        window = max(length or self.ctx.settings.max_request_bytes, 1)

        def query(conn: Connection) -> tuple[PodAccess, list[Row[Any]]]:
            access, row = load_session(conn, actor, session_id, PROTOCOL)
            if row.state != "open":
                raise Conflict("the upload is already committed")
            first = (
                sa.select(upload_chunks.c.offset)
                .where(upload_chunks.c.session_id == session_id, upload_chunks.c.idx == index)
                .scalar_subquery()
            )
            rows = conn.execute(
                sa.select(upload_chunks)
                .where(upload_chunks.c.session_id == session_id)
                .where(upload_chunks.c.idx >= index)
                .where(upload_chunks.c.offset < first + window)
                .order_by(upload_chunks.c.idx)
            ).all()
            if not rows or rows[0].idx != index:
                raise NotFound(f"the upload has no chunk {index}")
            return access, list(rows)

        access, rows = await self.ctx.db.read(query)
        rows = body_rows(rows, index, length)
        keys = self.keycache.keys(access, actor)

        # chunks are marked present as they are stored, a few MiB at a time, so a request
        # that dies (its client, or this node, killed) is sent again only from where it was
        unmarked: list[tuple[str, int]] = []
        marking: list[asyncio.Future[None]] = []

        def mark_unmarked() -> None:
            marking.append(asyncio.ensure_future(self.marks.mark(session_id, unmarked[:])))
            unmarked.clear()

        async def store(r: Row[Any], parts: list[memoryview]) -> StoredChunk:
            stored = await self.ctx.engine.store_chunk(parts, keys, bytes(r.plain_hash))
            unmarked.append((r.chunk_id, stored.stored_size))
            if len(unmarked) >= MARK_EVERY_CHUNKS:
                mark_unmarked()
            return stored

        outcomes, error = await receive_chunks(body, rows, index, store, self.ctx.engine.in_flight)
        mark_unmarked()
        for failed in await asyncio.gather(*marking, return_exceptions=True):
            if isinstance(failed, BaseException):
                raise failed
        good = [(r, out) for r, out in outcomes if isinstance(out, StoredChunk)]
        for r, out in outcomes:
            if isinstance(out, ChecksumMismatch):
                raise Invalid(f"chunk {r.idx} does not match its declared BLAKE3 hash")
            if isinstance(out, Exception):
                raise out
        if error is not None:
            raise error
        return ChunksStored(
            index=index,
            chunks=len(good),
            size=sum(r.size for r, _ in good),
            new=sum(1 for _, out in good if out.new),
        )

    async def commit(self, actor: Actor, session_id: str) -> FileWritten:
        def query(conn: Connection) -> tuple[PodAccess, Row[Any], list[Row[Any]]]:
            access, row = load_session(conn, actor, session_id, PROTOCOL)
            return access, row, session_rows(conn, session_id)

        access, row, rows = await self.ctx.db.read(query)
        if row.state == "committed" and row.result is not None:
            return written_of(row.result)
        if row.fingerprint is None:
            raise DeclarationIncomplete(
                "the chunk list is not complete: declare the rest of it", declared=len(rows)
            )
        missing = missing_of(rows)
        if missing:
            raise ChunksMissing(
                f"{len(missing)} chunk(s) are still missing", missing=missing[:1000]
            )
        if sum(r.size for r in rows) != row.size:
            raise Invalid("the chunk sizes do not add up to the file size")
        prepared = await prepare_result(
            self.ctx,
            self.keycache.keys(access, actor),
            split_path(row.path)[-1],
            chunk_refs(rows),
            {r.chunk_id: r.stored_size for r in rows},
            row.size,
            row.content_type,
        )
        return await commit_session(self.ctx, self.files, actor, row, prepared)
