"""Finding nodes by name in a scope, and walking a selection (for an archive download).

Both descend from a root through live nodes only, so a trashed folder hides its contents
and a share's scope never reaches above its own root.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import PodAccess
from podstore.core.errors import Invalid
from podstore.core.records import NodeInfo, TreeEntry
from podstore.core.tree.nodes import node_info, path_of, resolve, starred_among
from podstore.meta.schema import nodes

MAX_SEARCH_RESULTS = 500


def live_subtree(root_id: str) -> Any:
    """A recursive CTE of the ids below `root_id` (itself included) reached through live nodes."""
    tree = sa.select(nodes.c.id).where(nodes.c.id == root_id).cte("live", recursive=True)
    return tree.union_all(
        sa.select(nodes.c.id).where(nodes.c.parent_id == tree.c.id, nodes.c.trashed_at.is_(None))
    )


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_names(
    conn: Connection, user_id: str, access: PodAccess, text: str, limit: int
) -> list[NodeInfo]:
    """Live nodes under the scope's root whose name contains `text` (any case), by name."""
    text = text.strip()
    if not text:
        raise Invalid("say what to search for")
    if len(text) > 255:
        raise Invalid("a search is at most 255 characters")
    if not 1 <= limit <= MAX_SEARCH_RESULTS:
        raise Invalid(f"limit is from 1 to {MAX_SEARCH_RESULTS}")
    tree = live_subtree(access.root_id)
    rows = conn.execute(
        sa.select(nodes)
        .where(
            nodes.c.id.in_(sa.select(tree.c.id)),
            nodes.c.id != access.root_id,
            nodes.c.name.ilike(_like_pattern(text), escape="\\"),
        )
        .order_by(nodes.c.name, nodes.c.id)
        .limit(limit)
    ).all()
    stars = starred_among(conn, user_id, [r.id for r in rows])
    return [
        node_info(r, r.id in stars, path=path_of(conn, r, access.root_id), pod=access.alias)
        for r in rows
    ]


def recent_files(conn: Connection, user_id: str, access: PodAccess, limit: int) -> list[NodeInfo]:
    """The live files under the scope's root changed most recently, newest first."""
    if not 1 <= limit <= MAX_SEARCH_RESULTS:
        raise Invalid(f"limit is from 1 to {MAX_SEARCH_RESULTS}")
    tree = live_subtree(access.root_id)
    rows = conn.execute(
        sa.select(nodes)
        .where(nodes.c.id.in_(sa.select(tree.c.id)), nodes.c.kind == "file")
        .order_by(nodes.c.modified_at.desc(), nodes.c.id)
        .limit(limit)
    ).all()
    stars = starred_among(conn, user_id, [r.id for r in rows])
    return [
        node_info(r, r.id in stars, path=path_of(conn, r, access.root_id), pod=access.alias)
        for r in rows
    ]


def walk_selection(
    conn: Connection, access: PodAccess, selection: list[list[str]], max_nodes: int
) -> list[TreeEntry]:
    """Each selected node and everything live below it, parents before children, named
    relative to the selection's folder; two selected nodes of one name get distinct names."""
    entries: list[TreeEntry] = []
    taken: set[str] = set()
    for parts in selection:
        top = resolve(conn, access, parts)
        name = _unique(top.name if top.parent_id is not None else access.name, taken)
        rows = [top] if top.kind == "file" else _subtree_rows(conn, top.id, max_nodes)
        relative = {top.id: name}
        for row in rows:
            if row.id != top.id:
                relative[row.id] = f"{relative[row.parent_id]}/{row.name}"
            scope_path = "/" + "/".join(parts) + relative[row.id][len(name) :]
            entries.append(TreeEntry(node_info(row, path=scope_path), relative[row.id]))
        if len(entries) > max_nodes:
            raise Invalid(f"an archive holds at most {max_nodes} files and folders")
    return entries


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        stem, dot, ext = name.rpartition(".") if "." in name[1:] else (name, "", "")
        candidate = f"{stem} ({n}){dot}{ext}"
    taken.add(candidate)
    return candidate


def _subtree_rows(conn: Connection, root_id: str, max_nodes: int) -> list[Row[Any]]:
    """The live subtree's rows, parents first (breadth-first by depth, then by name)."""
    tree = (
        sa.select(nodes.c.id, sa.literal(0).label("depth"))
        .where(nodes.c.id == root_id)
        .cte("walk", recursive=True)
    )
    tree = tree.union_all(
        sa.select(nodes.c.id, tree.c.depth + 1).where(
            nodes.c.parent_id == tree.c.id, nodes.c.trashed_at.is_(None)
        )
    )
    rows = conn.execute(
        sa.select(nodes)
        .join(tree, tree.c.id == nodes.c.id)
        .order_by(tree.c.depth, nodes.c.name)
        .limit(max_nodes + 1)
    ).all()
    if len(rows) > max_nodes:
        raise Invalid(f"an archive holds at most {max_nodes} files and folders")
    return list(rows)
