"""Chunk reference counts: a version holds one reference per chunk occurrence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.context import now
from podstore.meta.prepared import Prepared, upsert_of
from podstore.meta.schema import chunks
from podstore.storage.manifest import Manifest

_ADD_REF = Prepared(
    upsert_of(
        chunks,
        ["id"],
        lambda new: {"refcount": chunks.c.refcount + new.refcount, "updated_at": new.updated_at},
    )
)


def add_refs(
    conn: Connection, pod_id: str, manifest: Manifest, stored_sizes: dict[str, int] | None = None
) -> None:
    add_ref_counts(conn, pod_id, Counter(manifest.chunk_names), stored_sizes)


def add_ref_counts(
    conn: Connection,
    pod_id: str,
    counts: Counter[str],
    stored_sizes: dict[str, int] | None = None,
) -> None:
    sizes = stored_sizes or {}
    at = now()
    for name, count in counts.items():
        _ADD_REF.run(
            conn,
            {
                "id": name,
                "pod_id": pod_id,
                "stored_size": sizes.get(name, 0),
                "refcount": count,
                "updated_at": at,
            },
        )


def drop_refs(conn: Connection, manifests: Iterable[Manifest]) -> None:
    counts: Counter[str] = Counter()
    for manifest in manifests:
        counts.update(manifest.chunk_names)
    for name, count in counts.items():
        conn.execute(
            chunks.update()
            .where(chunks.c.id == name)
            .values(refcount=chunks.c.refcount - count, updated_at=now())
        )


def version_chunk_names(conn: Connection) -> set[str]:
    """Blobs that file versions reference."""
    return set(conn.execute(sa.select(chunks.c.id).where(chunks.c.refcount > 0)).scalars())


def forget_unreferenced(conn: Connection, older_than: float) -> int:
    result = conn.execute(
        chunks.delete().where(chunks.c.refcount <= 0).where(chunks.c.updated_at < older_than)
    )
    return int(result.rowcount or 0)
