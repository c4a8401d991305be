"""Where a moved or copied subtree may land, and the batched copy itself.

A move or copy must not put a folder inside itself (the tree would become a cycle, or a copy
would never end), must keep every node within `MAX_PATH_DEPTH` of the pod's root (deeper
nodes could not be addressed by any path), and a copy must stay small enough that one write
transaction holds the metadata writer only for a moment (`max_copy_nodes`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import PodAccess
from podstore.core.context import Actor, new_id, now
from podstore.core.errors import Conflict, Invalid, QuotaExceeded
from podstore.core.names import MAX_PATH_DEPTH
from podstore.core.tree.refs import add_ref_counts
from podstore.meta.schema import nodes, pods, versions
from podstore.storage.manifest import Manifest

BATCH = 500


def ancestry(conn: Connection, node_id: str) -> list[str]:
    """The ids from `node_id` up to its pod's root, in one query; its depth is len - 1."""
    up = (
        sa.select(nodes.c.id, nodes.c.parent_id)
        .where(nodes.c.id == node_id)
        .cte("up", recursive=True)
    )
    up = up.union_all(sa.select(nodes.c.id, nodes.c.parent_id).where(nodes.c.id == up.c.parent_id))
    return list(conn.execute(sa.select(up.c.id)).scalars())


def scope_depth(conn: Connection, access: PodAccess) -> int:
    """How many levels below the pod's root the scope's root is (0 for a member)."""
    return 0 if access.is_member else len(ancestry(conn, access.root_id)) - 1


def check_depth(conn: Connection, access: PodAccess, levels: int) -> None:
    """Refuse a new node `levels` below the scope's root that would sit deeper than
    `MAX_PATH_DEPTH` below the pod's root (a shared folder is itself somewhere below it)."""
    deepest = levels + scope_depth(conn, access)
    if deepest > MAX_PATH_DEPTH:
        raise Invalid(f"that would put files {deepest} levels deep; the limit is {MAX_PATH_DEPTH}")


def subtree_shape(conn: Connection, root_id: str, *, live_only: bool) -> tuple[int, int]:
    """(levels below the root, number of nodes) of the subtree at `root_id`."""
    shape = (
        sa.select(nodes.c.id, sa.literal(0).label("depth"))
        .where(nodes.c.id == root_id)
        .cte("shape", recursive=True)
    )
    below = sa.select(nodes.c.id, shape.c.depth + 1).where(nodes.c.parent_id == shape.c.id)
    if live_only:
        below = below.where(nodes.c.trashed_at.is_(None))
    shape = shape.union_all(below)
    height, count = conn.execute(sa.select(sa.func.max(shape.c.depth), sa.func.count())).one()
    return int(height or 0), int(count or 0)


def check_copy_size(conn: Connection, root_id: str, max_nodes: int) -> None:
    """Refuse to copy a subtree too large for one write transaction (`max_copy_nodes`)."""
    _, count = subtree_shape(conn, root_id, live_only=True)
    if max_nodes and count > max_nodes:
        raise _too_many(max_nodes, count)


def _too_many(max_nodes: int, count: int) -> Invalid:
    return Invalid(f"a copy may hold at most {max_nodes} files and folders; this one has {count}")


def check_placement(
    conn: Connection,
    node: Row[Any],
    parent: Row[Any],
    *,
    copying: bool,
    max_nodes: int = 0,
) -> int:
    """Refuse a move or copy of `node` into `parent` that would loop, go too deep or too big.

    Returns the number of nodes the operation touches."""
    above = ancestry(conn, parent.id)
    parent_depth = len(above) - 1
    if node.id in above:
        verb = "copied" if copying else "moved"
        raise Conflict(f"a folder cannot be {verb} into itself or a folder inside it")
    height, count = subtree_shape(conn, node.id, live_only=copying)
    deepest = parent_depth + 1 + height
    if deepest > MAX_PATH_DEPTH:
        raise Invalid(f"that would put files {deepest} levels deep; the limit is {MAX_PATH_DEPTH}")
    if copying and max_nodes and count > max_nodes:
        raise _too_many(max_nodes, count)
    return count


def copy_subtree(
    conn: Connection, access: PodAccess, actor: Actor, node: Row[Any], parent_id: str, name: str
) -> str:
    """Copy `node` (and, for a folder, every live node below it) under `parent_id` as `name`.

    Level by level, a few statements per 500 nodes; versions share their chunks."""
    t = now()
    root_copy = new_id()
    frontier: list[tuple[Row[Any], str, str, str]] = [(node, parent_id, name, root_copy)]
    added = 0
    while frontier:
        current = _current_versions(conn, [src for src, *_ in frontier])
        refs: Counter[str] = Counter()
        node_rows: list[dict[str, Any]] = []
        version_rows: list[dict[str, Any]] = []
        for source, target_parent, target_name, copy_id in frontier:
            version = current.get(source.version_id) if source.kind == "file" else None
            version_id = new_id() if version is not None else None
            node_rows.append(
                {
                    "id": copy_id,
                    "pod_id": access.pod_id,
                    "parent_id": target_parent,
                    "name": target_name,
                    "kind": source.kind,
                    "size": source.size,
                    "content_type": source.content_type,
                    "version_id": version_id,
                    "created_by": actor.user_id,
                    "created_at": t,
                    "modified_at": t,
                }
            )
            if version is not None:
                refs.update(Manifest.from_bytes(version.manifest).chunk_names)
                added += version.size
                version_rows.append(
                    {
                        "id": version_id,
                        "node_id": copy_id,
                        "number": 1,
                        "size": version.size,
                        "content_hash": version.content_hash,
                        "content_type": version.content_type,
                        "manifest": version.manifest,
                        "keys_pod_id": version.keys_pod_id,
                        "created_by": actor.user_id,
                        "created_at": t,
                    }
                )
        conn.execute(nodes.insert(), node_rows)
        if version_rows:
            conn.execute(versions.insert(), version_rows)
        add_ref_counts(conn, access.pod_id, refs)
        folders = {src.id: copy_id for src, _, _, copy_id in frontier if src.kind == "dir"}
        frontier = [
            (kid, folders[kid.parent_id], kid.name, new_id())
            for kid in _live_children(conn, folders)
        ]
    if access.quota_bytes and access.used_bytes + added > access.quota_bytes:
        raise QuotaExceeded("the copy would exceed the pod's quota")
    conn.execute(
        pods.update().where(pods.c.id == access.pod_id).values(used_bytes=pods.c.used_bytes + added)
    )
    return root_copy


def _current_versions(conn: Connection, sources: list[Row[Any]]) -> dict[str, Row[Any]]:
    ids = [s.version_id for s in sources if s.kind == "file" and s.version_id]
    found: dict[str, Row[Any]] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        for row in conn.execute(sa.select(versions).where(versions.c.id.in_(batch))):
            found[row.id] = row
    return found


def _live_children(conn: Connection, folder_ids: dict[str, str]) -> list[Row[Any]]:
    ids = list(folder_ids)
    kids: list[Row[Any]] = []
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        kids += conn.execute(
            sa.select(nodes).where(nodes.c.parent_id.in_(batch), nodes.c.trashed_at.is_(None))
        ).all()
    return kids
