"""`core.dav`: what WebDAV needs beyond the tree and files services: dead properties, locks
and the checks a write makes against them, the listing a PROPFIND shows, and a file's
modification time as a client sets it (ownCloud's X-OC-Mtime)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import PodAccess, Role, authorize
from podstore.core.context import Actor, CoreContext
from podstore.core.dav import locks, properties
from podstore.core.dav.properties import Name
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.names import split_path
from podstore.core.records import DavLock, DavTarget, DavView, NodeInfo
from podstore.core.tree.listing import MAX_PAGE, list_children
from podstore.core.tree.nodes import child, get_node, node_info, path_of, resolve
from podstore.meta.schema import nodes
from podstore.meta.webdav_schema import dav_properties

MAX_MTIME = 253402300799.0  # 9999-12-31


def _walk(
    conn: Connection, access: PodAccess, parts: list[str]
) -> tuple[Row[Any] | None, Row[Any]]:
    """(the node at `parts` or None, its parent folder); Conflict when the parent is missing."""
    if not parts:
        return resolve(conn, access, []), resolve(conn, access, [])
    try:
        parent = resolve(conn, access, parts[:-1])
    except NotFound:
        raise Conflict("the parent folder does not exist") from None
    if parent.kind != "dir":
        raise Conflict("the parent is a file, not a folder")
    return child(conn, parent.id, parts[-1]), parent


class Dav:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def view(
        self, actor: Actor, pod: str, path: str, depth: int, names: set[Name] | None
    ) -> DavView:
        """The node at `path` and, at depth 1 for a folder, its children, with the dead
        properties in `names` (None: all) and the locks on each."""
        parts = split_path(path)

        def query(conn: Connection) -> DavView:
            access = authorize(conn, actor, pod, Role.VIEWER)
            node = resolve(conn, access, parts)
            entries = [node_info(node, path=path_of(conn, node, access.root_id))]
            if depth > 0 and node.kind == "dir":
                cursor = None
                while True:
                    page = list_children(conn, actor, node.id, limit=MAX_PAGE, cursor=cursor)
                    entries += page.entries
                    cursor = page.next_cursor
                    if cursor is None:
                        break
            ids = [e.id for e in entries]
            chain = locks.ancestry(conn, node)
            return DavView(
                entries,
                properties.of_nodes(conn, node.id, names, children=len(entries) > 1),
                locks.on_nodes(conn, access, chain, ids),
            )

        return await self.ctx.db.read(query)

    async def target(self, actor: Actor, pod: str, path: str) -> DavTarget:
        """What is at `path` now, for evaluating an If: header against it."""
        parts = split_path(path)

        def query(conn: Connection) -> DavTarget:
            access = authorize(conn, actor, pod, Role.VIEWER)
            try:
                node, parent = _walk(conn, access, parts)
            except Conflict:
                return DavTarget(None, None, frozenset())
            chain = locks.ancestry(conn, node if node is not None else parent)
            rows = locks.covering(conn, chain, target_exists=node is not None)
            tokens = frozenset(row.token for row in rows)
            if node is None:
                return DavTarget(None, None, tokens)
            return DavTarget(node_info(node), node.version_id, tokens)

        return await self.ctx.db.read_now(query)

    async def check_write(
        self,
        actor: Actor,
        pod: str,
        path: str,
        tokens: frozenset[str],
        *,
        members_change: bool = False,
        subtree: bool = False,
    ) -> NodeInfo | None:
        """Whether the actor may change `path` as far as locks go (Locked if a lock's token
        is missing; Conflict if its parent folder is missing): the node there, or None."""
        parts = split_path(path)

        def query(conn: Connection) -> NodeInfo | None:
            access = authorize(conn, actor, pod, Role.EDITOR)
            node, parent = _walk(conn, access, parts)
            if locks.any_in_pod(conn, access.pod_id):
                chain = locks.ancestry(conn, node if node is not None else parent)
                rows = locks.covering(
                    conn,
                    chain,
                    target_exists=node is not None,
                    members_change=members_change,
                    subtree=subtree,
                )
                locks.require_tokens(conn, access, actor, rows, tokens)
            return None if node is None else node_info(node)

        # a few point lookups, unless a whole subtree's locks are looked for
        return await (self.ctx.db.read(query) if subtree else self.ctx.db.read_now(query))

    async def set_properties(
        self,
        actor: Actor,
        pod: str,
        path: str,
        changes: list[tuple[str, str, str | None]],
        tokens: frozenset[str],
    ) -> None:
        """Set or remove dead properties, in order, all or none."""
        parts = split_path(path)

        def write(conn: Connection) -> None:
            access = authorize(conn, actor, pod, Role.EDITOR)
            node = resolve(conn, access, parts)
            rows = locks.covering(conn, locks.ancestry(conn, node), target_exists=True)
            locks.require_tokens(conn, access, actor, rows, tokens)
            properties.apply(conn, node.id, changes)

        await self.ctx.db.write(write)

    async def copy_properties(self, actor: Actor, pod: str, source: str, target: str) -> None:
        """Give a fresh copy (COPY) the dead properties of what it was copied from."""
        src, dst = split_path(source), split_path(target)

        def write(conn: Connection) -> None:
            access = authorize(conn, actor, pod, Role.EDITOR)
            pairs, level = [], [(resolve(conn, access, src).id, resolve(conn, access, dst).id)]
            while level:
                pairs += level
                olds = {old: new for old, new in level}
                below = conn.execute(
                    sa.select(nodes.c.id, nodes.c.parent_id, nodes.c.name).where(
                        nodes.c.parent_id.in_(list(olds) + list(olds.values())),
                        nodes.c.trashed_at.is_(None),
                    )
                ).all()
                news = {(r.parent_id, r.name): r.id for r in below}
                level = [
                    (r.id, news[(olds[r.parent_id], r.name)])
                    for r in below
                    if r.parent_id in olds and (olds[r.parent_id], r.name) in news
                ]
            with_props = set(
                conn.execute(
                    sa.select(dav_properties.c.node_id)
                    .distinct()
                    .where(dav_properties.c.node_id.in_([old for old, _ in pairs[:10_000]]))
                ).scalars()
            )
            properties.copy(conn, [(old, new) for old, new in pairs if old in with_props])

        await self.ctx.db.write(write)

    async def lock(
        self,
        actor: Actor,
        pod: str,
        path: str,
        *,
        exclusive: bool,
        infinite: bool,
        owner: str,
        seconds: float | None,
    ) -> DavLock:
        parts = split_path(path)

        def write(conn: Connection) -> DavLock:
            access = authorize(conn, actor, pod, Role.EDITOR)
            node = resolve(conn, access, parts)
            token = f"urn:uuid:{uuid.uuid4()}"
            return locks.take(
                conn,
                access,
                actor,
                node,
                token=token,
                exclusive=exclusive,
                infinite=infinite,
                owner=owner,
                timeout=seconds,
            )

        return await self.ctx.db.write(write)

    async def refresh(
        self, actor: Actor, pod: str, path: str, tokens: frozenset[str], seconds: float | None
    ) -> DavLock:
        parts = split_path(path)

        def write(conn: Connection) -> DavLock:
            access = authorize(conn, actor, pod, Role.EDITOR)
            return locks.refresh(conn, access, actor, resolve(conn, access, parts), tokens, seconds)

        return await self.ctx.db.write(write)

    async def unlock(self, actor: Actor, pod: str, path: str, token: str) -> None:
        parts = split_path(path)

        def write(conn: Connection) -> None:
            access = authorize(conn, actor, pod, Role.VIEWER)
            locks.release(conn, access, actor, resolve(conn, access, parts), token)

        await self.ctx.db.write(write)

    async def forget_locks(self, actor: Actor, pod: str, node_id: str) -> None:
        """Drop the locks on a node just moved or deleted and on everything inside it."""

        def write(conn: Connection) -> None:
            access = authorize(conn, actor, pod, Role.EDITOR)
            node = get_node(conn, node_id)
            if node is not None and node.pod_id == access.pod_id:
                locks.drop_below(conn, node_id)

        await self.ctx.db.write(write)

    async def set_modified(self, actor: Actor, pod: str, path: str, mtime: float) -> None:
        """Set a node's modification time as the client's copy has it (X-OC-Mtime)."""
        if not 0 <= mtime <= MAX_MTIME:
            raise Invalid("the modification time is out of range")
        parts = split_path(path)

        def write(conn: Connection) -> None:
            access = authorize(conn, actor, pod, Role.EDITOR)
            node = resolve(conn, access, parts)
            conn.execute(nodes.update().where(nodes.c.id == node.id).values(modified_at=mtime))

        await self.ctx.db.write(write)
