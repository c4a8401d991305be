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
from dataclasses import dataclass
from typing import Any, cast

import blake3
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access import PodAccess, PodKeyCache, Role, authorize
from podstore.core.context import Actor, CoreContext, iso, new_id, now
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.files import Files
from podstore.core.names import split_path
from podstore.core.quota import check_quota
from podstore.core.upload_sessions import (
    HashCursors,
    MarkBatcher,
    chunk_refs,
    commit_session,
    load_session,
    open_session,
    prepare_result,
    touch,
)
from podstore.meta.schema import chunks as chunks_table
from podstore.meta.uploads_schema import upload_chunks, upload_sessions
from podstore.storage.engine import StoredChunk, chunk_id_for_plain_hash
from podstore.storage.errors import ChecksumMismatch

PROTOCOL = "chunks"
MAX_CHUNKS = 1_000_000


@dataclass(frozen=True)
class DeclaredChunk:
    size: int
    hash: bytes  # plain BLAKE3 of the chunk


def _missing(rows: list[Row[Any]]) -> list[int]:
    """Indexes to send: the first occurrence of every chunk not yet present."""
    seen: set[str] = set()
    out = []
    for r in rows:
        if not r.present and r.chunk_id not in seen:
            out.append(r.idx)
        seen.add(r.chunk_id)
    return out


def _session_rows(conn: Connection, session_id: str) -> list[Row[Any]]:
    return list(
        conn.execute(
            sa.select(upload_chunks)
            .where(upload_chunks.c.session_id == session_id)
            .order_by(upload_chunks.c.idx)
        ).all()
    )


class Uploads:
    def __init__(self, ctx: CoreContext, keys: PodKeyCache, files: Files) -> None:
        self.ctx = ctx
        self.keycache = keys
        self.files = files
        self.cursors = HashCursors()
        self.marks = MarkBatcher(ctx)

    @property
    def ttl(self) -> int:
        return self.ctx.settings.upload_session_ttl_seconds

    def params(self) -> dict[str, Any]:
        p = self.ctx.engine.params
        return {
            "algorithm": "fastcdc-2020",
            "hash": "blake3",
            "min_size": p.min_size,
            "avg_size": p.avg_size,
            "max_size": p.max_size,
            "fastcdc_avg_size": max(p.avg_size - p.min_size, p.min_size),
            "max_request_bytes": self.ctx.settings.max_request_bytes,
            "inline_threshold": self.ctx.engine.inline_threshold,
        }

    async def chunk_params(self, actor: Actor, pod: str) -> dict[str, Any]:
        await self.ctx.db.read(lambda c: authorize(c, actor, pod, Role.EDITOR))
        return self.params()

    # -- create ------------------------------------------------------------------------------

    def _validate(self, size: int, declared: list[DeclaredChunk]) -> None:
        limit = self.ctx.settings.max_request_bytes
        if size < 0 or len(declared) > MAX_CHUNKS:
            raise Invalid("bad size or too many chunks")
        if any(c.size <= 0 or c.size > limit or len(c.hash) != 32 for c in declared):
            raise Invalid(f"every chunk needs 1 to {limit} bytes and a 32-byte BLAKE3 hash")
        if sum(c.size for c in declared) != size:
            raise Invalid("the chunk sizes do not add up to the file size")

    async def _present(self, pod_id: str, names: set[str]) -> set[str]:
        """Chunk names already safe to reference: in use in the pod, or found in the store."""
        ordered = sorted(names)

        def referenced(conn: Connection) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(ordered), 500):
                found.update(
                    conn.execute(
                        sa.select(chunks_table.c.id)
                        .where(chunks_table.c.id.in_(ordered[start : start + 500]))
                        .where(chunks_table.c.pod_id == pod_id, chunks_table.c.refcount > 0)
                    ).scalars()
                )
            return found

        found = await self.ctx.db.read(referenced)
        rest = [n for n in ordered if n not in found]
        flags = await asyncio.gather(*(self.ctx.engine.has_chunk(bytes.fromhex(n)) for n in rest))
        found.update(n for n, ok in zip(rest, flags, strict=True) if ok)
        return found

    async def create(
        self,
        actor: Actor,
        pod: str,
        path: str,
        size: int,
        declared: list[DeclaredChunk],
        content_type: str | None = None,
    ) -> dict[str, Any]:
        parts = split_path(path)
        if not parts:
            raise Invalid("a file needs a name")
        self._validate(size, declared)

        def prepare(conn: Connection) -> PodAccess:
            access = authorize(conn, actor, pod, Role.EDITOR)
            check_quota(conn, access, size)
            return access

        access = await self.ctx.db.read(prepare)
        keys = self.keycache.keys(access, actor)
        names = [chunk_id_for_plain_hash(keys.dedup_key, c.hash).hex() for c in declared]
        digest = blake3.blake3("/".join(parts).encode() + b"\0" + str(size).encode())
        for c in declared:
            digest.update(c.size.to_bytes(8, "big") + c.hash)
        fingerprint = digest.hexdigest()

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

        existing = await self.ctx.db.read(find)
        if existing is not None:
            await self.ctx.db.write(lambda c: touch(c, existing, self.ttl))
            return await self.status(actor, existing)
        present = await self._present(access.pod_id, set(names))
        session_id = new_id()
        rows = []
        offset = 0
        for idx, (c, name) in enumerate(zip(declared, names, strict=True)):
            rows.append(
                {
                    "session_id": session_id,
                    "idx": idx,
                    "offset": offset,
                    "size": c.size,
                    "plain_hash": c.hash,
                    "chunk_id": name,
                    "stored_size": 0,
                    "present": name in present,
                }
            )
            offset += c.size

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
        first_present = next((i for i, name in enumerate(names) if name in present), None)
        self.cursors.start(session_id, keys, limit=first_present)
        return await self.status(actor, session_id)

    # -- status, list, cancel --------------------------------------------------------------

    def _describe(self, row: Row[Any], rows: list[Row[Any]]) -> dict[str, Any]:
        missing = _missing(rows) if row.state == "open" else []
        received = sum(r.size for r in rows if r.present) if row.state == "open" else row.size
        return {
            "id": row.id,
            "path": row.path,
            "size": row.size,
            "state": row.state,
            "chunks": len(rows),
            "missing": missing,
            "missing_bytes": sum(rows[i].size for i in missing),
            "received_bytes": received,
            "expires": iso(row.expires_at),
            "chunk_params": self.params(),
            "max_request_bytes": self.ctx.settings.max_request_bytes,
            "result": row.result,
        }

    async def status(self, actor: Actor, session_id: str) -> dict[str, Any]:
        def query(conn: Connection) -> dict[str, Any]:
            _, row = load_session(conn, actor, session_id, PROTOCOL)
            return self._describe(row, _session_rows(conn, session_id))

        return await self.ctx.db.read(query)

    async def list_open(self, actor: Actor) -> list[dict[str, Any]]:
        """The actor's unfinished uploads (both protocols), newest first."""

        def query(conn: Connection) -> list[dict[str, Any]]:
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
                {
                    "id": r.id,
                    "protocol": r.protocol,
                    "path": r.path,
                    "size": r.size,
                    "received_bytes": stored.get(r.id, 0) if r.protocol == PROTOCOL else r.received,
                    "expires": iso(r.expires_at),
                }
                for r in got
            ]

        return await self.ctx.db.read(query)

    async def cancel(self, actor: Actor, session_id: str, protocol: str = PROTOCOL) -> None:
        def delete(conn: Connection) -> None:
            load_session(conn, actor, session_id, protocol)
            conn.execute(upload_chunks.delete().where(upload_chunks.c.session_id == session_id))
            conn.execute(upload_sessions.delete().where(upload_sessions.c.id == session_id))

        await self.ctx.db.write(delete)
        self.cursors.drop(session_id)

    # -- chunks and commit -------------------------------------------------------------------

    async def put_chunk(
        self, actor: Actor, session_id: str, index: int, data: bytes
    ) -> dict[str, Any]:
        """Store chunk `index`, or several consecutive chunks from `index` sent as one body."""

        def query(conn: Connection) -> tuple[PodAccess, list[Row[Any]]]:
            access, row = load_session(conn, actor, session_id, PROTOCOL)
            if row.state != "open":
                raise Conflict("the upload is already committed")
            first = conn.execute(
                sa.select(upload_chunks.c.offset).where(
                    upload_chunks.c.session_id == session_id, upload_chunks.c.idx == index
                )
            ).scalar()
            if first is None:
                raise NotFound(f"the upload has no chunk {index}")
            rows = conn.execute(
                sa.select(upload_chunks)
                .where(upload_chunks.c.session_id == session_id)
                .where(upload_chunks.c.idx >= index)
                .where(upload_chunks.c.offset < first + max(len(data), 1))
                .order_by(upload_chunks.c.idx)
            ).all()
            return access, list(rows)

        access, rows = await self.ctx.db.read(query)
        if sum(r.size for r in rows) != len(data):
            raise Invalid(
                f"the body must hold whole chunks from chunk {index} on "
                f"(chunk {index} has {rows[0].size} bytes; got {len(data)})"
            )
        keys = self.keycache.keys(access, actor)
        whole = memoryview(data)
        pieces: list[bytes] = []
        start = 0
        for r in rows:  # views into the body, not copies (the engine takes any buffer)
            pieces.append(cast(bytes, whole[start : start + r.size]))
            start += r.size
        outcomes = await asyncio.gather(
            *(
                self.ctx.engine.store_chunk(piece, keys, bytes(r.plain_hash))
                for piece, r in zip(pieces, rows, strict=True)
            ),
            return_exceptions=True,
        )
        good = [
            (r, piece, out)
            for r, piece, out in zip(rows, pieces, outcomes, strict=True)
            if isinstance(out, StoredChunk)
        ]
        await self.marks.mark(session_id, [(r.chunk_id, out.stored_size) for r, _, out in good])
        for r, piece, _ in good:
            await self.cursors.feed(session_id, r.idx, piece)
        for r, out in zip(rows, outcomes, strict=True):
            if isinstance(out, ChecksumMismatch):
                raise Invalid(f"chunk {r.idx} does not match its declared BLAKE3 hash")
            if isinstance(out, BaseException):
                raise out
        return {
            "index": index,
            "chunks": len(rows),
            "size": len(data),
            "new": sum(1 for *_, out in good if out.new),
        }

    async def commit(self, actor: Actor, session_id: str) -> dict[str, Any]:
        def query(conn: Connection) -> tuple[PodAccess, Row[Any], list[Row[Any]]]:
            access, row = load_session(conn, actor, session_id, PROTOCOL)
            return access, row, _session_rows(conn, session_id)

        access, row, rows = await self.ctx.db.read(query)
        if row.state == "committed":
            return dict(row.result)
        missing = _missing(rows)
        if missing:
            raise Conflict(f"{len(missing)} chunk(s) are still missing", missing=missing[:1000])
        if sum(r.size for r in rows) != row.size:
            raise Invalid("the chunk sizes do not add up to the file size")
        keys = self.keycache.keys(access, actor)
        prepared = await prepare_result(
            self.ctx,
            access,
            keys,
            split_path(row.path),
            chunk_refs(rows),
            {r.chunk_id: r.stored_size for r in rows},
            row.size,
            row.content_type,
            self.cursors.get(session_id),
        )
        info = await commit_session(self.ctx, self.files, actor, row, prepared)
        self.cursors.drop(session_id)
        return info
