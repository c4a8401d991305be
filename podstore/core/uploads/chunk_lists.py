"""The chunk lists of handshake sessions: declarations, fingerprints, what is missing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import blake3
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.records import DeclaredChunk
from podstore.meta.schema import chunks as chunks_table
from podstore.meta.uploads_schema import upload_chunks


def fingerprint_of(parts: list[str], size: int, declared: list[DeclaredChunk]) -> str:
    """What identifies an upload of the same file with the same content (for resuming)."""
    digest = blake3.blake3("/".join(parts).encode() + b"\0" + str(size).encode())
    for c in declared:
        digest.update(c.size.to_bytes(8, "big") + c.hash)
    return digest.hexdigest()


def listed_before(conn: Connection, session_id: str, names: set[str], before: int) -> set[str]:
    """Which of `names` the session lists below index `before`."""
    ordered = sorted(names)
    found: set[str] = set()
    for start in range(0, len(ordered), 500):
        found.update(
            conn.execute(
                sa.select(upload_chunks.c.chunk_id)
                .where(upload_chunks.c.session_id == session_id, upload_chunks.c.idx < before)
                .where(upload_chunks.c.chunk_id.in_(ordered[start : start + 500]))
            ).scalars()
        )
    return found


def missing_of(rows: list[Row[Any]]) -> list[int]:
    """Indexes to send: the first occurrence of every chunk not yet present."""
    seen: set[str] = set()
    out = []
    for r in rows:
        if not r.present and r.chunk_id not in seen:
            out.append(r.idx)
        seen.add(r.chunk_id)
    return out


def session_rows(conn: Connection, session_id: str) -> list[Row[Any]]:
    return list(
        conn.execute(
            sa.select(upload_chunks)
            .where(upload_chunks.c.session_id == session_id)
            .order_by(upload_chunks.c.idx)
        ).all()
    )


def referenced_in_pod(conn: Connection, pod_id: str, names: Sequence[str]) -> set[str]:
    """Which of `names` are chunks in use in the pod."""
    found: set[str] = set()
    for start in range(0, len(names), 500):
        found.update(
            conn.execute(
                sa.select(chunks_table.c.id)
                .where(chunks_table.c.id.in_(names[start : start + 500]))
                .where(chunks_table.c.pod_id == pod_id, chunks_table.c.refcount > 0)
            ).scalars()
        )
    return found


def chunk_rows(
    session_id: str,
    declared: list[DeclaredChunk],
    names: list[str],
    present: set[str],
    first: int,
    offset: int,
) -> list[dict[str, Any]]:
    """`upload_chunks` rows of chunks declared from index `first`, at byte `offset`."""
    rows = []
    for idx, (c, name) in enumerate(zip(declared, names, strict=True), start=first):
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
    return rows
