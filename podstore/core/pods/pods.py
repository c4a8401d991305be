"""Pods: create, list, stat, rename, delete; each with its own wrapped data key and policy."""

from __future__ import annotations

from typing import get_args

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.access.authorize import PodAccess, Role, authorize, role_name
from podstore.core.accounts import crypto
from podstore.core.context import Actor, CoreContext, new_id, now
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.names import validate_name
from podstore.core.records import PodInfo, ScopeInfo
from podstore.core.social.audit import audit
from podstore.core.tree.refs import drop_refs
from podstore.meta.errors import UniqueViolation
from podstore.meta.schema import nodes, pod_members, pods, users, versions
from podstore.meta.sharing_schema import group_members, pod_groups
from podstore.storage.engine import Compression
from podstore.storage.manifest import Manifest

COMPRESSIONS = get_args(Compression)


def pod_name(name: str) -> str:
    name = validate_name(name)
    if ":" in name:
        raise Invalid("a pod name may not contain ':'")
    return name


def _check_policy(
    compression: str | None, versions_kept: int | None, quota_bytes: int | None
) -> None:
    if compression is not None and compression not in COMPRESSIONS:
        raise Invalid(f"compression is one of {', '.join(COMPRESSIONS)}")
    if versions_kept is not None and not (
        isinstance(versions_kept, int) and 1 <= versions_kept <= 1000
    ):
        raise Invalid("versions_kept is a whole number from 1 to 1000")
    if quota_bytes is not None and not (isinstance(quota_bytes, int) and quota_bytes >= 0):
        raise Invalid("quota_bytes is a whole number of bytes, 0 for none")


def total_used_bytes(conn: Connection) -> int:
    return int(
        conn.execute(sa.select(sa.func.coalesce(sa.func.sum(pods.c.used_bytes), 0))).scalar_one()
    )


def insert_pod(
    conn: Connection,
    *,
    name: str,
    created_by: str,
    owner_id: str | None = None,
    owner_group_id: str | None = None,
    compression: str = "fast",
    versions_kept: int,
    quota_bytes: int = 0,
) -> tuple[str, crypto.PodSecrets]:
    """A new pod with its root folder and fresh secrets, owned by a user or a group; the
    caller gives the secrets to their holders."""
    pod_id, root_id, t = new_id(), new_id(), now()
    conn.execute(
        pods.insert().values(
            id=pod_id,
            owner_id=owner_id,
            owner_group_id=owner_group_id,
            name=name,
            compression=compression,
            versions_kept=versions_kept,
            quota_bytes=quota_bytes,
            used_bytes=0,
            root_id=root_id,
            created_at=t,
        )
    )
    conn.execute(
        nodes.insert().values(
            id=root_id,
            pod_id=pod_id,
            parent_id=None,
            name="",
            kind="dir",
            created_by=created_by,
            created_at=t,
            modified_at=t,
        )
    )
    return pod_id, crypto.PodSecrets.generate()


def pod_stats(conn: Connection, pod_ids: list[str]) -> dict[str, tuple[int, int]]:
    """(live files, live folders) per pod, in one query."""
    rows = conn.execute(
        sa.select(nodes.c.pod_id, nodes.c.kind, sa.func.count())
        .where(
            nodes.c.pod_id.in_(pod_ids),
            nodes.c.trashed_at.is_(None),
            nodes.c.parent_id.is_not(None),
        )
        .group_by(nodes.c.pod_id, nodes.c.kind)
    ).all()
    stats = {pid: [0, 0] for pid in pod_ids}
    for pod_id, kind, count in rows:
        stats[pod_id][0 if kind == "file" else 1] = count
    return {pid: (v[0], v[1]) for pid, v in stats.items()}


def describe(access: PodAccess, files: int, folders: int) -> PodInfo:
    return PodInfo(
        id=access.pod_id,
        name=access.alias,
        owner_id=access.owner_id,
        role=role_name(access.role),
        root_id=access.root_id,
        compression=access.compression,
        versions_kept=access.versions_kept,
        quota_bytes=access.quota_bytes,
        used_bytes=access.used_bytes,
        files=files,
        folders=folders,
        read_only=access.read_only,
    )


class Pods:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def create(
        self,
        actor: Actor,
        name: str,
        compression: str | None = None,
        versions_kept: int | None = None,
        quota_bytes: int | None = None,
    ) -> PodInfo:
        name = pod_name(name)
        _check_policy(compression, versions_kept, quota_bytes)

        def insert(conn: Connection) -> str:
            public_key = conn.execute(
                sa.select(users.c.public_key).where(users.c.id == actor.user_id)
            ).scalar_one()
            pod_id, secrets = insert_pod(
                conn,
                name=name,
                created_by=actor.user_id,
                owner_id=actor.user_id,
                compression=compression or "fast",
                versions_kept=versions_kept or self.ctx.settings.versions_kept,
                quota_bytes=quota_bytes or 0,
            )
            conn.execute(
                pod_members.insert().values(
                    pod_id=pod_id,
                    user_id=actor.user_id,
                    role="owner",
                    alias=name,
                    wrapped_key=crypto.wrap_for(
                        bytes(public_key), secrets.to_bytes(), pod_id.encode()
                    ),
                )
            )
            return pod_id

        try:
            pod_id = await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            raise Conflict(f"you already have a pod named {name!r}") from exc
        return await self.stat(actor, pod_id)

    async def list(self, actor: Actor) -> list[PodInfo]:
        def query(conn: Connection) -> list[PodInfo]:
            aliases = (
                conn.execute(
                    sa.select(pod_members.c.alias)
                    .where(pod_members.c.user_id == actor.user_id)
                    .order_by(pod_members.c.alias)
                )
                .scalars()
                .all()
            )
            group_pods = conn.execute(
                sa.select(pod_groups.c.pod_id)
                .join(group_members, group_members.c.group_id == pod_groups.c.group_id)
                .where(group_members.c.user_id == actor.user_id)
            ).scalars()
            refs = list(aliases) + sorted(set(group_pods))
            accesses = [authorize(conn, actor, ref, Role.VIEWER) for ref in refs]
            stats = pod_stats(conn, [a.pod_id for a in accesses])
            return [describe(a, *stats[a.pod_id]) for a in accesses]

        return await self.ctx.db.read(query)

    async def stat(self, actor: Actor, pod: str) -> PodInfo:
        def query(conn: Connection) -> PodInfo:
            access = authorize(conn, actor, pod, Role.VIEWER)
            if not access.is_member:  # a grant shows its item, not the pod around it
                raise NotFound(f"no pod {pod!r}")
            return describe(access, *pod_stats(conn, [access.pod_id])[access.pod_id])

        return await self.ctx.db.read(query)

    async def scope(self, actor: Actor, pod: str) -> ScopeInfo:
        """How `actor` reaches `pod` (a pod, `share:<id>` or `link:<id>`), and who owns it."""

        def query(conn: Connection) -> ScopeInfo:
            access = authorize(conn, actor, pod, Role.VIEWER)
            return ScopeInfo(
                pod_id=access.pod_id,
                name=access.alias,
                owner_id=access.owner_id,
                level=access.role.name.lower(),
                kind=access.scope,
                read_only=access.read_only,
            )

        return await self.ctx.db.read(query)

    async def update(
        self,
        actor: Actor,
        pod: str,
        *,
        name: str | None = None,
        compression: str | None = None,
        versions_kept: int | None = None,
        quota_bytes: int | None = None,
    ) -> PodInfo:
        _check_policy(compression, versions_kept, quota_bytes)
        new_name = pod_name(name) if name is not None else None

        def change(conn: Connection) -> str:
            access = authorize(conn, actor, pod, Role.OWNER)
            policy = {
                k: v
                for k, v in (
                    ("compression", compression),
                    ("versions_kept", versions_kept),
                    ("quota_bytes", quota_bytes),
                )
                if v is not None
            }
            if new_name is not None:
                policy["name"] = new_name
                conn.execute(
                    pod_members.update()
                    .where(
                        pod_members.c.pod_id == access.pod_id,
                        pod_members.c.user_id == actor.user_id,
                    )
                    .values(alias=new_name)
                )
            if policy:
                conn.execute(pods.update().where(pods.c.id == access.pod_id).values(**policy))
            return access.pod_id

        try:
            pod_id = await self.ctx.db.write(change)
        except UniqueViolation as exc:
            raise Conflict(f"you already have a pod named {name!r}") from exc
        return await self.stat(actor, pod_id)

    async def delete(self, actor: Actor, pod: str) -> None:
        def remove(conn: Connection) -> None:
            access = authorize(conn, actor, pod, Role.OWNER)
            drop_pod(conn, access.pod_id)
            audit(conn, actor.user_id, "pod.deleted", {"pod": access.pod_id, "name": access.name})

        await self.ctx.db.write(remove)

    async def delete_all_owned(self, actor: Actor) -> None:
        def remove(conn: Connection) -> None:
            for pod_id in conn.execute(
                sa.select(pods.c.id).where(pods.c.owner_id == actor.user_id)
            ).scalars():
                drop_pod(conn, pod_id)

        await self.ctx.db.write(remove)


def drop_pod(conn: Connection, pod_id: str) -> None:
    manifests = conn.execute(
        sa.select(versions.c.manifest)
        .join(nodes, nodes.c.id == versions.c.node_id)
        .where(nodes.c.pod_id == pod_id)
    ).scalars()
    drop_refs(conn, (Manifest.from_bytes(m) for m in manifests))
    conn.execute(
        versions.delete().where(
            versions.c.node_id.in_(sa.select(nodes.c.id).where(nodes.c.pod_id == pod_id))
        )
    )
    conn.execute(nodes.update().where(nodes.c.pod_id == pod_id).values(parent_id=None))
    conn.execute(nodes.delete().where(nodes.c.pod_id == pod_id))
    conn.execute(pod_members.delete().where(pod_members.c.pod_id == pod_id))
    conn.execute(pods.delete().where(pods.c.id == pod_id))
