"""File content: upload as a new version, download with ranges, versions and retention."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import (
    PodAccess,
    PodKeyCache,
    Role,
    audience,
    authorize,
    foreign_keys,
    require_download,
)
from podstore.core.context import Actor, CoreContext, new_id, now
from podstore.core.dav.locks import refuse_others
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.names import split_path
from podstore.core.records import Download, FileWritten, Preconditions, VersionInfo
from podstore.core.tree.content_type import SNIFF_BYTES, guess
from podstore.core.tree.nodes import (
    child,
    ensure_dirs,
    get_node,
    node_info,
    notify,
    resolve,
    resolve_dir,
)
from podstore.core.tree.placement import check_depth
from podstore.core.tree.quota import check_quota
from podstore.core.tree.refs import add_refs, drop_refs
from podstore.meta.db import Database
from podstore.meta.errors import UniqueViolation
from podstore.meta.prepared import Prepared, insert_of
from podstore.meta.schema import nodes, pods, users, versions
from podstore.storage.engine import WriteResult
from podstore.storage.manifest import Manifest

OnCommit = Callable[[Connection, FileWritten], None]


class _Sniffer:
    """Passes a byte stream through, keeping its first bytes for content sniffing."""

    def __init__(self, source: AsyncIterable[bytes]) -> None:
        self.source = source
        self.head = b""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for piece in self.source:
            if len(self.head) < SNIFF_BYTES:
                self.head += bytes(piece[: SNIFF_BYTES - len(self.head)])
            yield piece


def version_info(row: Row[Any], current: str | None) -> VersionInfo:
    """A row of `versions` joined with its author's name as `author`."""
    return VersionInfo(
        id=row.id,
        number=row.number,
        size=row.size,
        content_type=row.content_type,
        created_at=row.created_at,
        created_by=row.author,
        current=row.id == current,
    )


def trim_versions(conn: Connection, pod_id: str, node_id: str, keep: int) -> None:
    """Drop the oldest versions beyond the pod's retention, releasing their chunks."""
    old = conn.execute(
        sa.select(versions.c.id, versions.c.size, versions.c.manifest)
        .where(versions.c.node_id == node_id)
        .order_by(versions.c.number.desc())
        .offset(keep)
    ).all()
    if not old:
        return
    drop_refs(conn, (Manifest.from_bytes(r.manifest) for r in old))
    conn.execute(versions.delete().where(versions.c.id.in_([r.id for r in old])))
    conn.execute(
        pods.update()
        .where(pods.c.id == pod_id)
        .values(used_bytes=pods.c.used_bytes - sum(r.size for r in old))
    )


_INSERT_NODE = Prepared(
    insert_of(
        nodes,
        *("id", "pod_id", "parent_id", "name", "kind", "size", "content_type", "version_id"),
        *("created_by", "created_at", "modified_at"),
    )
)
_VERSION = Prepared(
    sa.select(versions).where(
        versions.c.id == sa.bindparam("version_id"), versions.c.node_id == sa.bindparam("node_id")
    )
)
_INSERT_VERSION = Prepared(versions.insert())
_LAST_NUMBER = Prepared(
    sa.select(sa.func.coalesce(sa.func.max(versions.c.number), 0)).where(
        versions.c.node_id == sa.bindparam("node_id")
    )
)
_SET_CURRENT = Prepared(
    nodes.update()
    .where(nodes.c.id == sa.bindparam("node_id"))
    .values(
        version_id=sa.bindparam("version_id"),
        size=sa.bindparam("size"),
        content_type=sa.bindparam("content_type"),
        modified_at=sa.bindparam("modified_at"),
    )
)
_GROW_POD = Prepared(
    pods.update()
    .where(pods.c.id == sa.bindparam("pod_id"))
    .values(used_bytes=pods.c.used_bytes + sa.bindparam("grow"))
)


_CREATE_RACE_ATTEMPTS = 4
T = TypeVar("T")


async def write_racing(db: Database, store: Callable[[Connection], T]) -> T:
    """Run the file write `store`, again when it lost a race to create the same name (the
    file or a folder on its path; only several writers, on PostgreSQL, can race): the next
    run finds what the winner made and adds to it, as if the two had come one after the
    other."""
    for attempt in range(_CREATE_RACE_ATTEMPTS):
        try:
            return await db.write(store)
        except UniqueViolation as exc:
            if attempt == _CREATE_RACE_ATTEMPTS - 1:
                raise Conflict("the file was created concurrently; try again") from exc
    raise AssertionError("unreachable")


class Files:
    def __init__(self, ctx: CoreContext, keys: PodKeyCache) -> None:
        self.ctx = ctx
        self.keycache = keys

    async def upload(
        self,
        actor: Actor,
        pod: str,
        path: str,
        source: AsyncIterable[bytes],
        *,
        content_type: str | None = None,
        conditions: Preconditions = Preconditions(),
        size_hint: int | None = None,
        on_commit: OnCommit | None = None,
    ) -> FileWritten:
        """`on_commit` runs in the transaction that makes the version visible (a caller's
        own records of the file commit with it, or nothing does)."""
        parts = split_path(path)
        if size_hint is not None and size_hint < self.ctx.engine.inline_threshold:
            return await self._upload_small(
                actor, pod, parts, source, size_hint, content_type, conditions, on_commit
            )

        def prepare(conn: Connection) -> tuple[PodAccess, str]:
            access = authorize(conn, actor, pod, Role.EDITOR)
            existing = _existing(conn, access, parts)
            if existing is not None and existing.kind == "dir":
                raise Conflict(f"/{'/'.join(parts)} is a folder")
            if existing is not None and access.upload_only:
                raise Conflict("a file of that name exists already")
            conditions.check(existing.version_id if existing is not None else None)
            check_quota(conn, access, size_hint or 0)
            name = parts[-1] if parts else existing.name if existing is not None else ""
            return access, name

        access, name = await self.ctx.db.read(prepare)
        keys = self.keycache.keys(access, actor)
        sniffer = _Sniffer(source)
        result = await self.ctx.engine.write(sniffer, keys)
        kind = content_type or guess(name, sniffer.head)

        def store(conn: Connection) -> FileWritten:
            written = self.commit(conn, actor, pod, parts, result, kind, conditions)
            if on_commit is not None:
                on_commit(conn, written)
            return written

        return await write_racing(self.ctx.db, store)

    async def _upload_small(
        self,
        actor: Actor,
        pod: str,
        parts: list[str],
        source: AsyncIterable[bytes],
        size: int,
        content_type: str | None,
        conditions: Preconditions,
        on_commit: OnCommit | None,
    ) -> FileWritten:
        """A body known to be small: read it, then seal and commit it in one write."""
        pieces: list[bytes] = []
        received = 0
        async for piece in source:
            received += len(piece)
            if received > size:
                raise Invalid("the body is longer than its Content-Length")
            pieces.append(bytes(piece))
        plain = b"".join(pieces)
        if received != size:
            raise Invalid("the body is shorter than its Content-Length")

        def store(conn: Connection) -> FileWritten:
            access = authorize(conn, actor, pod, Role.EDITOR)
            result = self.ctx.engine.write_small(plain, self.keycache.keys(access, actor))
            name = parts[-1] if parts else ""
            kind = content_type or guess(name, plain[:SNIFF_BYTES])
            written = self.commit(conn, actor, pod, parts, result, kind, conditions, access)
            if on_commit is not None:
                on_commit(conn, written)
            return written

        return await write_racing(self.ctx.db, store)

    def commit(
        self,
        conn: Connection,
        actor: Actor,
        pod: str,
        parts: list[str],
        result: WriteResult,
        kind: str,
        conditions: Preconditions = Preconditions(),
        access: PodAccess | None = None,
    ) -> FileWritten:
        """Make stored content the new current version, in the caller's transaction.

        Resumable uploads call this once every chunk is stored; `access` is passed by
        callers that authorized in this same transaction.
        """
        access = access or authorize(conn, actor, pod, Role.EDITOR)
        t = now()
        if not parts:  # the scope is one shared file: a new version of it
            node = _existing(conn, access, parts)
            parts = [node.name] if node is not None else parts
            parent = get_node(conn, node.parent_id) if node is not None else None
            assert parent is not None
        else:
            if not access.is_member:  # a member's paths are checked by split_path already
                check_depth(conn, access, len(parts))
            parent = ensure_dirs(conn, access, parts[:-1], actor.user_id, t, new_id)
            node = child(conn, parent.id, parts[-1])
        refuse_others(conn, access, actor, node, parent)
        if node is not None and access.upload_only:
            raise Conflict("a file of that name exists already")
        if node is not None and node.kind == "dir":
            raise Conflict(f"/{'/'.join(parts)} is a folder")
        conditions.check(node.version_id if node is not None else None)
        manifest = result.manifest
        check_quota(conn, access, manifest.size)
        version_id = new_id()
        if node is None:
            node_id, number = new_id(), 1
            _INSERT_NODE.run(
                conn,
                {
                    "id": node_id,
                    "pod_id": access.pod_id,
                    "parent_id": parent.id,
                    "name": parts[-1],
                    "kind": "file",
                    "size": manifest.size,
                    "content_type": kind,
                    "version_id": version_id,
                    "created_by": actor.user_id,
                    "created_at": t,
                    "modified_at": t,
                },
            )
        else:
            node_id = node.id
            # the update first: its row lock queues concurrent new versions of one file
            # (PostgreSQL), so each reads the number the one before it committed rather than
            # all reading the same one and all but one failing on (node_id, number)
            _SET_CURRENT.run(
                conn,
                {
                    "node_id": node_id,
                    "version_id": version_id,
                    "size": manifest.size,
                    "content_type": kind,
                    "modified_at": t,
                },
            )
            number = 1 + _LAST_NUMBER.scalar(conn, {"node_id": node_id})
        _INSERT_VERSION.run(
            conn,
            {
                "id": version_id,
                "node_id": node_id,
                "number": number,
                "size": manifest.size,
                "content_hash": manifest.content_hash,
                "content_type": kind,
                "manifest": manifest.to_bytes(),
                "keys_pod_id": None,
                "created_by": actor.user_id,
                "created_at": t,
            },
        )
        add_refs(conn, access.pod_id, manifest, {c.id.hex(): c.stored_size for c in result.chunks})
        _GROW_POD.run(conn, {"pod_id": access.pod_id, "grow": manifest.size})
        if number > access.versions_kept:  # only then is there anything to drop
            trim_versions(conn, access.pod_id, node_id, access.versions_kept)
        fresh = get_node(conn, node_id)
        assert fresh is not None
        kind_of_change = "file.created" if node is None else "file.changed"
        notify(conn, fresh, kind_of_change, audience(conn, access.pod_id, fresh.id))
        return FileWritten(node_info(fresh), number, node is None, result.new_bytes)

    async def open(
        self, actor: Actor, pod: str, path: str, version_id: str | None = None
    ) -> Download:
        parts = split_path(path)

        def query(conn: Connection) -> tuple[PodAccess, Row[Any], Row[Any]]:
            access = authorize(conn, actor, pod, Role.VIEWER)
            node = resolve(conn, access, parts)
            if node.kind != "file":
                raise Invalid(f"/{'/'.join(parts)} is a folder")
            wanted = version_id or node.version_id
            row = _VERSION.first(conn, {"version_id": wanted, "node_id": node.id})
            if row is None:
                raise NotFound("no such version")
            require_download(access)
            return access, node, row

        access, node, row = await self.ctx.db.read_now(query)
        keys = self.keycache.keys(access, actor)
        if row.keys_pod_id and row.keys_pod_id != access.pod_id:
            source = row.keys_pod_id
            keys = await self.ctx.db.read(lambda c: foreign_keys(c, keys, access.pod_id, source))
        return Download(
            node=node_info(node),
            manifest=Manifest.from_bytes(row.manifest),
            keys=keys,
            etag=row.id,
            content_type=row.content_type or "application/octet-stream",
            size=row.size,
            modified=row.created_at,
        )

    def stream(
        self, download: Download, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        return self.ctx.engine.read(download.manifest, download.keys, start, end)

    async def versions(self, actor: Actor, pod: str, path: str) -> list[VersionInfo]:
        parts = split_path(path)

        def query(conn: Connection) -> list[VersionInfo]:
            access = authorize(conn, actor, pod, Role.VIEWER)
            node = resolve(conn, access, parts)
            rows = conn.execute(
                sa.select(versions, users.c.name.label("author"))
                .outerjoin(users, users.c.id == versions.c.created_by)
                .where(versions.c.node_id == node.id)
                .order_by(versions.c.number.desc())
            ).all()
            return [version_info(r, node.version_id) for r in rows]

        return await self.ctx.db.read(query)

    async def restore_version(
        self, actor: Actor, pod: str, path: str, version_id: str
    ) -> FileWritten:
        """Make an old version current again, as a new version with the same content."""
        parts = split_path(path)

        def restore(conn: Connection) -> FileWritten:
            access = authorize(conn, actor, pod, Role.EDITOR)
            node = resolve(conn, access, parts)
            old = conn.execute(
                sa.select(versions).where(
                    versions.c.id == version_id, versions.c.node_id == node.id
                )
            ).first()
            if old is None:
                raise NotFound("no such version")
            refuse_others(conn, access, actor, node, node)
            manifest = Manifest.from_bytes(old.manifest)
            check_quota(conn, access, old.size)
            number = (
                1
                + conn.execute(
                    sa.select(sa.func.max(versions.c.number)).where(versions.c.node_id == node.id)
                ).scalar_one()
            )
            new_version, t = new_id(), now()
            conn.execute(
                versions.insert().values(
                    id=new_version,
                    node_id=node.id,
                    number=number,
                    size=old.size,
                    content_hash=old.content_hash,
                    content_type=old.content_type,
                    manifest=old.manifest,
                    keys_pod_id=old.keys_pod_id,
                    created_by=actor.user_id,
                    created_at=t,
                )
            )
            conn.execute(
                nodes.update()
                .where(nodes.c.id == node.id)
                .values(
                    version_id=new_version,
                    size=old.size,
                    content_type=old.content_type,
                    modified_at=t,
                )
            )
            add_refs(conn, access.pod_id, manifest)
            conn.execute(
                pods.update()
                .where(pods.c.id == access.pod_id)
                .values(used_bytes=pods.c.used_bytes + old.size)
            )
            trim_versions(conn, access.pod_id, node.id, access.versions_kept)
            fresh = get_node(conn, node.id)
            assert fresh is not None
            return FileWritten(node_info(fresh), number, new_file=False, stored_bytes=0)

        return await self.ctx.db.write(restore)


def _existing(conn: Connection, access: PodAccess, parts: list[str]) -> Any:
    if not parts:
        root = get_node(conn, access.root_id)
        if root is None or root.kind != "file":
            raise Invalid("a file needs a name")
        return root
    try:
        parent = resolve_dir(conn, access, parts[:-1])
    except NotFound:
        return None
    return child(conn, parent.id, parts[-1])
