"""Queries on the node table shared by the tree and file services (no permission checks:
callers pass a `PodAccess` that `authorize` produced)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import PodAccess
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.records import ExportedNode, NodeInfo, VersionInfo
from podstore.core.social.events import emit
from podstore.meta.prepared import Prepared
from podstore.meta.schema import nodes, stars, users, versions

_CHILD = Prepared(
    sa.select(nodes).where(
        nodes.c.parent_id == sa.bindparam("parent_id"),
        nodes.c.name == sa.bindparam("name"),
        nodes.c.trashed_at.is_(None),
    )
)
_NODE = Prepared(sa.select(nodes).where(nodes.c.id == sa.bindparam("node_id")))


def child(conn: Connection, parent_id: str, name: str) -> Any:
    """The live child `name` of a folder (a row of `nodes`), or None."""
    return _CHILD.first(conn, {"parent_id": parent_id, "name": name})


def get_node(conn: Connection, node_id: str) -> Any:
    return _NODE.first(conn, {"node_id": node_id})


def _joined_path(depth: int) -> Prepared:
    """One statement for the live node `depth` names below a folder: each level a join."""
    levels = [nodes.alias(f"n{i}") for i in range(depth)]
    statement = sa.select(levels[-1])
    for i, level in enumerate(levels):
        above = levels[i - 1].c.id if i else sa.bindparam("root_id")
        if i:
            statement = statement.join(level, level.c.parent_id == above)
        else:
            statement = statement.select_from(level).where(level.c.parent_id == above)
        statement = statement.where(level.c.name == sa.bindparam(f"p{i}"))
        statement = statement.where(level.c.trashed_at.is_(None))
        if i < depth - 1:
            statement = statement.where(level.c.kind == "dir")
    return Prepared(statement)


_JOINED_PATHS = [_joined_path(depth) for depth in range(1, 9)]


def resolve(conn: Connection, access: PodAccess, parts: list[str]) -> Any:
    """The live node at `parts` below the pod root."""
    if 0 < len(parts) <= len(_JOINED_PATHS):
        params = {f"p{i}": name for i, name in enumerate(parts)}
        found = _JOINED_PATHS[len(parts) - 1].first(conn, {"root_id": access.root_id, **params})
        if found is not None:
            return found
    # not there (the walk says where it stops), or deeper than the joined statements go
    node = get_node(conn, access.root_id)
    assert node is not None
    for depth, name in enumerate(parts):
        if node.kind != "dir":
            raise NotFound(f"{'/'.join(parts[:depth])!r} is not a folder")
        found = child(conn, node.id, name)
        if found is None:
            raise NotFound(f"no such file or folder: /{'/'.join(parts[: depth + 1])}")
        node = found
    return node


def resolve_dir(conn: Connection, access: PodAccess, parts: list[str]) -> Any:
    node = resolve(conn, access, parts)
    if node.kind != "dir":
        raise Invalid(f"/{'/'.join(parts)} is a file, not a folder")
    return node


def ensure_dirs(
    conn: Connection, access: PodAccess, parts: list[str], user_id: str, now: float, new_id: Any
) -> Any:
    """The folder at `parts`, creating missing folders along the way."""
    node = get_node(conn, access.root_id)
    assert node is not None
    for depth, name in enumerate(parts):
        found = child(conn, node.id, name)
        if found is None:
            node_id = new_id()
            conn.execute(
                nodes.insert().values(
                    id=node_id,
                    pod_id=access.pod_id,
                    parent_id=node.id,
                    name=name,
                    kind="dir",
                    created_by=user_id,
                    created_at=now,
                    modified_at=now,
                )
            )
            found = get_node(conn, node_id)
            assert found is not None
        elif found.kind != "dir":
            raise Conflict(f"/{'/'.join(parts[: depth + 1])} is a file, not a folder")
        node = found
    assert node is not None
    return node


def path_of(conn: Connection, node: Row[Any], root_id: str | None = None) -> str:
    """The node's path from the pod root, or from `root_id` (a scope's root) when given."""
    names: list[str] = []
    current: Row[Any] | None = node
    while current is not None and current.parent_id is not None and current.id != root_id:
        names.append(current.name)
        current = get_node(conn, current.parent_id)
    return "/" + "/".join(reversed(names))


def is_live(conn: Connection, node: Row[Any]) -> bool:
    """Neither the node nor any folder above it is in the trash."""
    current: Row[Any] | None = node
    while current is not None:
        if current.trashed_at is not None:
            return False
        if current.parent_id is None:
            return True
        current = get_node(conn, current.parent_id)
    return False


def subtree_ids(conn: Connection, root_id: str) -> list[str]:
    tree = sa.select(nodes.c.id).where(nodes.c.id == root_id).cte("tree", recursive=True)
    tree = tree.union_all(sa.select(nodes.c.id).where(nodes.c.parent_id == tree.c.id))
    return list(conn.execute(sa.select(tree.c.id)).scalars())


def subtree_versions(conn: Connection, node_ids: list[str]) -> list[Row[Any]]:
    rows: list[Row[Any]] = []
    query = sa.select(versions.c.id, versions.c.size, versions.c.manifest)
    for start in range(0, len(node_ids), 500):
        batch = node_ids[start : start + 500]
        rows += list(conn.execute(query.where(versions.c.node_id.in_(batch))))
    return rows


def node_info(
    node: Row[Any], starred: bool = False, *, path: str | None = None, pod: str | None = None
) -> NodeInfo:
    return NodeInfo(
        id=node.id,
        name=node.name,
        kind=node.kind,
        size=node.size if node.kind == "file" else 0,
        modified_at=node.modified_at,
        created_at=node.created_at,
        content_type=node.content_type,
        version_id=node.version_id,
        parent_id=node.parent_id,
        starred=starred,
        trashed_at=node.trashed_at,
        path=path,
        pod=pod,
        mode=getattr(node, "mode", None),
    )


def notify(conn: Connection, node: Row[Any], kind: str, people: set[str]) -> None:
    """Tell `people` (an audience computed by the caller) that `node` changed."""
    emit(
        conn,
        people,
        kind,
        {
            "node_id": node.id,
            "pod_id": node.pod_id,
            "parent_id": node.parent_id,
            "name": node.name,
            "type": node.kind,
            "size": node.size,
            "version_id": node.version_id,
        },
    )


def starred_among(conn: Connection, user_id: str, node_ids: list[str]) -> set[str]:
    if not node_ids:
        return set()
    return set(
        conn.execute(
            sa.select(stars.c.node_id).where(
                stars.c.user_id == user_id, stars.c.node_id.in_(node_ids)
            )
        ).scalars()
    )


def export_tree(conn: Connection, pod_id: str) -> list[ExportedNode]:
    """Every node of a pod with its path and versions, in two queries."""
    rows = conn.execute(sa.select(nodes).where(nodes.c.pod_id == pod_id)).all()
    by_id = {r.id: r for r in rows}
    found = conn.execute(
        sa.select(
            versions.c.node_id,
            versions.c.id,
            versions.c.number,
            versions.c.size,
            versions.c.content_type,
            versions.c.created_at,
            users.c.name.label("author"),
            nodes.c.version_id.label("current"),
        )
        .join(nodes, nodes.c.id == versions.c.node_id)
        .outerjoin(users, users.c.id == versions.c.created_by)
        .where(nodes.c.pod_id == pod_id)
        .order_by(versions.c.number)
    ).all()
    per_node: dict[str, list[VersionInfo]] = {}
    for v in found:
        per_node.setdefault(v.node_id, []).append(
            VersionInfo(
                id=v.id,
                number=v.number,
                size=v.size,
                content_type=v.content_type,
                created_at=v.created_at,
                created_by=v.author,
                current=v.id == v.current,
            )
        )

    def path(row: Row[Any]) -> str:
        names = []
        while row.parent_id is not None:
            names.append(row.name)
            row = by_id[row.parent_id]
        return "/" + "/".join(reversed(names))

    return [
        ExportedNode(node_info(r, path=path(r)), per_node.get(r.id, []))
        for r in rows
        if r.parent_id is not None
    ]
