"""The file tree: folders, listing, stat, move, copy, trash and favourites."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.access.authorize import Level, PodAccess, Role, audience, authorize
from podstore.core.context import Actor, CoreContext, new_id, now
from podstore.core.dav.locks import refuse_others
from podstore.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from podstore.core.names import split_path
from podstore.core.records import Listing, NodeFacts, NodeInfo, RenderedListing, TreeEntry
from podstore.core.social.audit import audit
from podstore.core.tree.facts import child_facts
from podstore.core.tree.finding import recent_files, search_names, walk_selection
from podstore.core.tree.listing import list_children
from podstore.core.tree.nodes import (
    child,
    ensure_dirs,
    get_node,
    is_live,
    node_info,
    notify,
    path_of,
    resolve,
    resolve_dir,
    starred_among,
    subtree_ids,
    subtree_versions,
)
from podstore.core.tree.placement import check_depth, check_placement, copy_subtree
from podstore.core.tree.refs import drop_refs
from podstore.core.tree.rendered import Fields, render_children
from podstore.meta.errors import UniqueViolation
from podstore.meta.schema import nodes, pods, stars, versions
from podstore.storage.manifest import Manifest

MAX_ARCHIVE_NODES = 20_000


T = TypeVar("T")


class Tree:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def mkdir(self, actor: Actor, pod: str, path: str, parents: bool = False) -> NodeInfo:
        parts = split_path(path)
        if not parts:
            raise Conflict("the root folder exists already")

        def create(conn: Connection) -> NodeInfo:
            access = authorize(conn, actor, pod, Role.EDITOR)
            if not access.is_member:  # a member's paths are checked by split_path already
                check_depth(conn, access, len(parts))
            parent = (
                ensure_dirs(conn, access, parts[:-1], actor.user_id, now(), new_id)
                if parents
                else resolve_dir(conn, access, parts[:-1])
            )
            existing = child(conn, parent.id, parts[-1])
            if existing is not None:
                if parents and existing.kind == "dir":
                    return node_info(existing)
                raise Conflict(f"/{'/'.join(parts)} exists already")
            refuse_others(conn, access, actor, None, parent)
            node_id, t = new_id(), now()
            conn.execute(
                nodes.insert().values(
                    id=node_id,
                    pod_id=access.pod_id,
                    parent_id=parent.id,
                    name=parts[-1],
                    kind="dir",
                    created_by=actor.user_id,
                    created_at=t,
                    modified_at=t,
                )
            )
            node = get_node(conn, node_id)
            assert node is not None
            notify(conn, node, "folder.created", audience(conn, access.pod_id, node.id))
            return node_info(node)

        try:
            return await self.ctx.db.write(create)
        except UniqueViolation as exc:
            raise Conflict(f"/{'/'.join(parts)} exists already") from exc

    async def list(self, actor: Actor, pod: str, path: str, **page: Any) -> Listing:
        return await self._in_folder(
            actor, pod, path, lambda conn, dir_id: list_children(conn, actor, dir_id, **page)
        )

    async def list_rendered(
        self, actor: Actor, pod: str, path: str, fields: Fields, **page: Any
    ) -> RenderedListing:
        """`list`'s page as JSON text, each entry an object of `fields` (see `rendered`)."""
        return await self._in_folder(
            actor,
            pod,
            path,
            lambda conn, dir_id: render_children(conn, actor, dir_id, fields, **page),
        )

    async def _in_folder(
        self, actor: Actor, pod: str, path: str, read: Callable[[Connection, str], T]
    ) -> T:
        """`read(conn, folder id)` of the folder at `path`, which the actor may view."""
        parts = split_path(path)

        def query(conn: Connection) -> T:
            access = authorize(conn, actor, pod, Role.VIEWER)
            return read(conn, resolve_dir(conn, access, parts).id)

        return await self.ctx.db.read(query)

    async def facts(self, actor: Actor, pod: str, path: str) -> dict[str, NodeFacts]:
        """`NodeFacts` of each item in the folder `path`, by node id."""
        parts = split_path(path)

        def query(conn: Connection) -> dict[str, NodeFacts]:
            access = authorize(conn, actor, pod, Role.VIEWER)
            return child_facts(conn, access, resolve_dir(conn, access, parts).id)

        return await self.ctx.db.read(query)

    async def stat(self, actor: Actor, pod: str, path: str) -> NodeInfo:
        parts = split_path(path)

        def query(conn: Connection) -> NodeInfo:
            access = authorize(conn, actor, pod, Role.VIEWER)
            node = resolve(conn, access, parts)
            return node_info(
                node,
                node.id in starred_among(conn, actor.user_id, [node.id]),
                path=path_of(conn, node, access.root_id),
                pod=access.alias,
            )

        return await self.ctx.db.read(query)

    async def chmod(self, actor: Actor, pod: str, path: str, mode: int) -> NodeInfo:
        """Record permission bits on a file or folder, as FairOS and POSIX clients set and
        show them; podstore's access rules, not the mode, decide who may do what."""
        if not 0 <= mode <= 0o7777:
            raise Invalid("a mode is from 0 to 0o7777 (permission bits)")
        parts = split_path(path)

        def chmod(conn: Connection) -> NodeInfo:
            access = authorize(conn, actor, pod, Role.EDITOR)
            node = resolve(conn, access, parts)
            conn.execute(nodes.update().where(nodes.c.id == node.id).values(mode=mode))
            changed = get_node(conn, node.id)
            assert changed is not None
            return node_info(changed)

        return await self.ctx.db.write(chmod)

    async def move(self, actor: Actor, pod: str, source: str, target: str) -> NodeInfo:
        src, dst = split_path(source), split_path(target)
        if not src or not dst:
            raise Invalid("the root folder cannot be moved or replaced")

        def move(conn: Connection) -> NodeInfo:
            access = authorize(conn, actor, pod, Role.EDITOR)
            node = resolve(conn, access, src)
            parent = resolve_dir(conn, access, dst[:-1])
            check_placement(conn, node, parent, copying=False)
            refuse_others(conn, access, actor, node, node, subtree=True)
            refuse_others(conn, access, actor, child(conn, parent.id, dst[-1]), parent)
            if child(conn, parent.id, dst[-1]) is not None and (parent.id, dst[-1]) != (
                node.parent_id,
                node.name,
            ):
                raise Conflict(f"/{'/'.join(dst)} exists already")
            before = audience(conn, access.pod_id, node.id)
            conn.execute(
                nodes.update()
                .where(nodes.c.id == node.id)
                .values(parent_id=parent.id, name=dst[-1], modified_at=now())
            )
            moved = get_node(conn, node.id)
            assert moved is not None
            notify(conn, moved, "node.moved", before | audience(conn, access.pod_id, moved.id))
            return node_info(moved)

        try:
            return await self.ctx.db.write(move)
        except UniqueViolation as exc:
            raise Conflict(f"/{'/'.join(dst)} exists already") from exc

    async def copy(self, actor: Actor, pod: str, source: str, target: str) -> NodeInfo:
        """Copy a file or folder; versions share their chunks, so no data is copied."""
        src, dst = split_path(source), split_path(target)
        if not src or not dst:
            raise Invalid("the root folder cannot be copied or replaced")

        def copy(conn: Connection) -> NodeInfo:
            access = authorize(conn, actor, pod, Role.EDITOR)
            node = resolve(conn, access, src)
            parent = resolve_dir(conn, access, dst[:-1])
            if child(conn, parent.id, dst[-1]) is not None:
                raise Conflict(f"/{'/'.join(dst)} exists already")
            refuse_others(conn, access, actor, None, parent)
            check_placement(
                conn, node, parent, copying=True, max_nodes=self.ctx.settings.max_copy_nodes
            )
            new_root = copy_subtree(conn, access, actor, node, parent.id, dst[-1])
            copied = get_node(conn, new_root)
            assert copied is not None
            notify(
                conn,
                copied,
                f"{'file' if copied.kind == 'file' else 'folder'}.created",
                audience(conn, access.pod_id, copied.id),
            )
            return node_info(copied)

        try:
            return await self.ctx.db.write(copy)
        except UniqueViolation as exc:
            raise Conflict(f"/{'/'.join(dst)} exists already") from exc

    # -- trash -----------------------------------------------------------------------------

    async def delete(self, actor: Actor, pod: str, path: str) -> NodeInfo:
        parts = split_path(path)
        if not parts:
            raise Invalid("the root folder cannot be deleted")

        def trash(conn: Connection) -> NodeInfo:
            access = authorize(conn, actor, pod, Level.DELETE)
            node = resolve(conn, access, parts)
            refuse_others(conn, access, actor, node, node, subtree=True)
            before = audience(conn, access.pod_id, node.id)
            conn.execute(
                nodes.update()
                .where(nodes.c.id == node.id)
                .values(trashed_at=now(), trashed_by=actor.user_id)
            )
            notify(conn, node, "file.deleted" if node.kind == "file" else "folder.deleted", before)
            record_deletion(
                conn, actor, access, "node.trashed", {"node": node.id, "name": node.name}
            )
            return node_info(node, path="/" + "/".join(parts))

        return await self.ctx.db.write(trash)

    async def trash(self, actor: Actor, pod: str) -> builtins.list[NodeInfo]:
        """Trashed items, newest first; each `path` is where it was."""

        def query(conn: Connection) -> list[NodeInfo]:
            access = members_only(authorize(conn, actor, pod, Role.VIEWER))
            rows = conn.execute(
                sa.select(nodes)
                .where(nodes.c.pod_id == access.pod_id, nodes.c.trashed_at.is_not(None))
                .order_by(nodes.c.trashed_at.desc())
            ).all()
            return [node_info(r, path=path_of(conn, r)) for r in rows]

        return await self.ctx.db.read(query)

    async def restore(self, actor: Actor, pod: str, node_id: str) -> NodeInfo:
        def restore(conn: Connection) -> NodeInfo:
            access = members_only(authorize(conn, actor, pod, Role.EDITOR))
            node = _trashed(conn, access, node_id)
            parent = get_node(conn, node.parent_id)
            if parent is None or not is_live(conn, parent):
                parent = get_node(conn, access.root_id)
            assert parent is not None
            name = node.name
            counter = 1
            while child(conn, parent.id, name) is not None:
                stem, dot, ext = (
                    node.name.rpartition(".") if "." in node.name[1:] else (node.name, "", "")
                )
                suffix = " (restored)" if counter == 1 else f" (restored {counter})"
                name = f"{stem}{suffix}{dot}{ext}" if dot else f"{node.name}{suffix}"
                counter += 1
            conn.execute(
                nodes.update()
                .where(nodes.c.id == node.id)
                .values(trashed_at=None, trashed_by=None, parent_id=parent.id, name=name)
            )
            restored = get_node(conn, node.id)
            assert restored is not None
            notify(conn, restored, "node.restored", audience(conn, access.pod_id, restored.id))
            return node_info(restored, path=path_of(conn, restored))

        return await self.ctx.db.write(restore)

    async def purge(self, actor: Actor, pod: str, node_id: str | None = None) -> int:
        """Delete one trashed item for good, or empty the whole trash; returns items purged."""

        def purge(conn: Connection) -> int:
            access = members_only(authorize(conn, actor, pod, Level.DELETE))
            if node_id is not None:
                targets = [_trashed(conn, access, node_id).id]
            else:
                targets = list(
                    conn.execute(
                        sa.select(nodes.c.id).where(
                            nodes.c.pod_id == access.pod_id, nodes.c.trashed_at.is_not(None)
                        )
                    ).scalars()
                )
            for target in targets:
                if get_node(conn, target) is not None:
                    purge_subtree(conn, access.pod_id, target)
            record_deletion(conn, actor, access, "trash.purged", {"items": targets})
            return len(targets)

        return await self.ctx.db.write(purge)

    async def search(
        self, actor: Actor, pod: str, text: str, limit: int = 100
    ) -> builtins.list[NodeInfo]:
        """Files and folders in the scope whose name contains `text`, any case, by name."""

        def query(conn: Connection) -> list[NodeInfo]:
            access = authorize(conn, actor, pod, Role.VIEWER)
            return search_names(conn, actor.user_id, access, text, limit)

        return await self.ctx.db.read(query)

    async def recent(self, actor: Actor, pod: str, limit: int = 20) -> builtins.list[NodeInfo]:
        """The files in the scope changed most recently, newest first."""

        def query(conn: Connection) -> list[NodeInfo]:
            access = authorize(conn, actor, pod, Role.VIEWER)
            return recent_files(conn, actor.user_id, access, limit)

        return await self.ctx.db.read(query)

    async def walk(
        self, actor: Actor, pod: str, paths: builtins.list[str]
    ) -> builtins.list[TreeEntry]:
        """The selected nodes and all live nodes below them, parents first, for an archive."""
        selection = [split_path(p) for p in paths]
        if not selection:
            raise Invalid("select at least one file or folder")

        def query(conn: Connection) -> list[TreeEntry]:
            access = authorize(conn, actor, pod, Role.VIEWER)
            return walk_selection(conn, access, selection, MAX_ARCHIVE_NODES)

        return await self.ctx.db.read(query)

    # -- favourites ------------------------------------------------------------------------

    async def star(self, actor: Actor, pod: str, path: str, starred: bool = True) -> NodeInfo:
        parts = split_path(path)

        def star(conn: Connection) -> NodeInfo:
            access = authorize(conn, actor, pod, Role.VIEWER)
            node = resolve(conn, access, parts)
            conn.execute(
                stars.delete().where(stars.c.user_id == actor.user_id, stars.c.node_id == node.id)
            )
            if starred:
                conn.execute(
                    stars.insert().values(user_id=actor.user_id, node_id=node.id, created_at=now())
                )
            return node_info(node, starred)

        return await self.ctx.db.write(star)

    async def starred(self, actor: Actor) -> builtins.list[NodeInfo]:
        def query(conn: Connection) -> list[NodeInfo]:
            rows = conn.execute(
                sa.select(nodes)
                .join(stars, stars.c.node_id == nodes.c.id)
                .where(stars.c.user_id == actor.user_id)
                .order_by(stars.c.created_at.desc())
            ).all()
            result: list[NodeInfo] = []
            for row in rows:
                try:
                    access = authorize(conn, actor, row.pod_id, Role.VIEWER)
                except NotFound:  # no longer a member of that pod
                    continue
                if is_live(conn, row):
                    result.append(node_info(row, True, pod=access.alias, path=path_of(conn, row)))
            return result

        return await self.ctx.db.read(query)


def record_deletion(
    conn: Connection, actor: Actor, access: PodAccess, action: str, detail: dict[str, Any]
) -> None:
    """Deletions go to the audit log of whoever did them and of the pod's owner."""
    for user_id in {actor.user_id, access.owner_id} - {None}:
        if user_id and not user_id.startswith("link:"):
            audit(conn, user_id, action, {"pod": access.pod_id, "by": actor.name, **detail})


def members_only(access: PodAccess) -> PodAccess:
    """The trash holds the whole pod's deleted items: it is for the pod's members."""
    if not access.is_member:
        raise PermissionDenied("the trash is open to the pod's members only")
    return access


def _trashed(conn: Connection, access: PodAccess, node_id: str) -> Any:
    node = get_node(conn, node_id)
    if node is None or node.pod_id != access.pod_id or node.trashed_at is None:
        raise NotFound("no such item in the trash")
    return node


def purge_subtree(conn: Connection, pod_id: str, root_id: str) -> None:
    ids = subtree_ids(conn, root_id)
    rows = subtree_versions(conn, ids)
    drop_refs(conn, (Manifest.from_bytes(r.manifest) for r in rows))
    freed = sum(r.size for r in rows)
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        conn.execute(versions.delete().where(versions.c.node_id.in_(batch)))
        conn.execute(stars.delete().where(stars.c.node_id.in_(batch)))
    # children first, so no foreign key ever points at a deleted folder
    for node_id in reversed(ids):
        conn.execute(nodes.delete().where(nodes.c.id == node_id))
    conn.execute(
        pods.update().where(pods.c.id == pod_id).values(used_bytes=pods.c.used_bytes - freed)
    )
