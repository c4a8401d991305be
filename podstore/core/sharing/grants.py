"""Grants on files and folders, pod membership (pod share), and pod forks.

A grant gives a user or a group a level (read, write, delete) on a node and everything
below it, optionally until an expiry and optionally without downloads. The recipient works
on the item in place through the scope `share:<grant id>`; revoking deletes the grant, so
the next request is refused. Shares carry the pod secrets wrapped for the recipient.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import (
    Level,
    PodAccess,
    PodKeyCache,
    actor_group_ids,
    audience,
    authorize,
    locate,
    parse_level,
    parse_role,
    role_name,
    user_by_name,
)
from podstore.core.access.revocations import access_revoked
from podstore.core.accounts import crypto
from podstore.core.context import Actor, CoreContext, iso, new_id, now
from podstore.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from podstore.core.names import split_path
from podstore.core.pods.pods import pod_name
from podstore.core.records import GrantInfo, PodMember, PodRef, ScopedNode
from podstore.core.social.audit import audit
from podstore.core.social.events import emit
from podstore.core.tree.facts import pod_owner
from podstore.core.tree.nodes import get_node, node_info, resolve, starred_among
from podstore.core.tree.placement import check_copy_size
from podstore.core.tree.refs import add_refs
from podstore.meta.errors import UniqueViolation
from podstore.meta.schema import nodes, pod_members, pods, users, versions
from podstore.meta.sharing_schema import grants, group_members, groups, pod_groups
from podstore.storage.manifest import Manifest


def recipient_key(conn: Connection, user: str | None, group: str | None) -> tuple[str, str, bytes]:
    """('user' or 'group', id, public key) of exactly one named recipient."""
    if bool(user) == bool(group):
        raise Invalid("name exactly one recipient: a user or a group")
    if user:
        row = user_by_name(conn, user)
        return "user", row.id, bytes(row.public_key)
    found = conn.execute(sa.select(groups).where(groups.c.name == group)).first()
    if found is None:
        raise NotFound(f"no group {group!r}")
    return "group", found.id, bytes(found.public_key)


def grant_view(conn: Connection, row: Row[Any]) -> GrantInfo:
    node = get_node(conn, row.node_id)
    owner = conn.execute(sa.select(users.c.name).where(users.c.id == row.created_by)).scalar()
    user = group = None
    if row.user_id:
        user = conn.execute(sa.select(users.c.name).where(users.c.id == row.user_id)).scalar()
    elif row.group_id:
        group = conn.execute(sa.select(groups.c.name).where(groups.c.id == row.group_id)).scalar()
    return GrantInfo(
        id=row.id,
        node_id=row.node_id,
        scope=f"share:{row.id}",
        owner=owner,
        level=row.level,
        no_download=bool(row.no_download),
        expires_at=row.expires_at,
        created_at=row.created_at,
        name=node.name if node else None,
        kind=node.kind if node else None,
        size=node.size if node else 0,
        user=user,
        group=group,
    )


def grant_event(grant: GrantInfo) -> dict[str, Any]:
    """What a `share.received` event tells the recipient about a grant."""
    recipient = {"user": grant.user} if grant.user else {"group": grant.group}
    return {
        "id": grant.id,
        "node_id": grant.node_id,
        "pod": grant.scope,
        "owner": grant.owner,
        "level": grant.level,
        "no_download": grant.no_download,
        "expires_at": iso(grant.expires_at),
        "created": iso(grant.created_at),
        "name": grant.name,
        "type": grant.kind,
        "size": grant.size,
        **recipient,
    }


def _live(column: Any) -> Any:
    return sa.or_(column.is_(None), column > now())


class Sharing:
    def __init__(self, ctx: CoreContext, keys: PodKeyCache) -> None:
        self.ctx = ctx
        self.keycache = keys

    async def _secrets(self, actor: Actor, pod: str, need: Level) -> tuple[PodAccess, bytes]:
        access = await self.ctx.db.read(lambda c: authorize(c, actor, pod, need))
        return access, self.keycache.secrets(access, actor).to_bytes()

    # -- grants ----------------------------------------------------------------------------

    async def share(
        self,
        actor: Actor,
        pod: str,
        path: str,
        *,
        user: str | None = None,
        group: str | None = None,
        level: str = "read",
        expires_at: float | None = None,
        no_download: bool = False,
    ) -> GrantInfo:
        parse_level(level)
        if expires_at is not None and expires_at <= now():
            raise Invalid("the expiry is in the past")
        parts = split_path(path)
        access, secrets = await self._secrets(actor, pod, Level.MANAGE)

        def grant(conn: Connection) -> GrantInfo:
            authorize(conn, actor, pod, Level.MANAGE)
            node = resolve(conn, access, parts)
            kind, recipient, public_key = recipient_key(conn, user, group)
            if kind == "user" and recipient == actor.user_id:
                raise Invalid("you cannot share with yourself")
            values = {
                "level": level,
                "no_download": no_download,
                "expires_at": expires_at,
                "wrapped_key": crypto.wrap_for(public_key, secrets, access.pod_id.encode()),
                "created_by": actor.user_id,
                "created_at": now(),
            }
            column = grants.c.user_id if kind == "user" else grants.c.group_id
            existing = conn.execute(
                sa.select(grants.c.id).where(grants.c.node_id == node.id, column == recipient)
            ).scalar()
            grant_id = existing or new_id()
            if existing:
                conn.execute(grants.update().where(grants.c.id == existing).values(**values))
            else:
                conn.execute(
                    grants.insert().values(
                        id=grant_id,
                        pod_id=access.pod_id,
                        node_id=node.id,
                        **{f"{kind}_id": recipient},
                        **values,
                    )
                )
            row = conn.execute(sa.select(grants).where(grants.c.id == grant_id)).one()
            view = grant_view(conn, row)
            people = [recipient] if kind == "user" else _group_members(conn, recipient)
            emit(conn, people, "share.received", grant_event(view))
            audit(
                conn,
                actor.user_id,
                "share.created",
                {"grant": grant_id, "node": node.id, "level": level, f"{kind}": user or group},
            )
            return view

        return await self.ctx.db.write(grant)

    async def incoming(self, actor: Actor) -> list[GrantInfo]:
        def query(conn: Connection) -> list[GrantInfo]:
            mine = sa.or_(
                grants.c.user_id == actor.user_id,
                grants.c.group_id.in_(actor_group_ids(conn, actor.user_id)),
            )
            rows = conn.execute(
                sa.select(grants)
                .where(mine, _live(grants.c.expires_at))
                .order_by(grants.c.created_at.desc())
            ).all()
            visible = []
            for row in rows:
                try:
                    authorize(conn, actor, f"share:{row.id}", Level.READ)
                except NotFound:  # the item is in the trash or gone
                    continue
                visible.append(grant_view(conn, row))
            return visible

        return await self.ctx.db.read(query)

    async def outgoing(self, actor: Actor) -> list[GrantInfo]:
        def query(conn: Connection) -> list[GrantInfo]:
            rows = conn.execute(
                sa.select(grants)
                .where(grants.c.created_by == actor.user_id)
                .order_by(grants.c.created_at.desc())
            ).all()
            return [grant_view(conn, r) for r in rows]

        return await self.ctx.db.read(query)

    async def revoke(self, actor: Actor, grant_id: str) -> None:
        """The sharer, a manager of the pod, or the recipient (declining) ends a grant."""

        def revoke(conn: Connection) -> None:
            row = conn.execute(sa.select(grants).where(grants.c.id == grant_id)).first()
            if row is None:
                raise NotFound("no such share")
            allowed = row.created_by == actor.user_id or row.user_id == actor.user_id
            if not allowed:
                try:
                    authorize(conn, actor, row.pod_id, Level.MANAGE)
                    allowed = True
                except (NotFound, PermissionDenied):
                    allowed = False
            if not allowed:
                raise NotFound("no such share")
            people = [row.user_id] if row.user_id else _group_members(conn, row.group_id)
            conn.execute(grants.delete().where(grants.c.id == grant_id))
            access_revoked(conn, pod_id=row.pod_id)
            emit(conn, people, "share.revoked", {"id": grant_id, "node_id": row.node_id})
            audit(conn, actor.user_id, "share.revoked", {"grant": grant_id})

        await self.ctx.db.write(revoke)

    # -- pod membership (pod share) ----------------------------------------------------------

    async def add_member(
        self,
        actor: Actor,
        pod: str,
        *,
        user: str | None = None,
        group: str | None = None,
        role: str = "viewer",
    ) -> list[PodMember]:
        parse_role(role)
        access, secrets = await self._secrets(actor, pod, Level.MANAGE)

        def add(conn: Connection) -> None:
            authorize(conn, actor, pod, Level.MANAGE)
            kind, recipient, public_key = recipient_key(conn, user, group)
            wrapped = crypto.wrap_for(public_key, secrets, access.pod_id.encode())
            if kind == "group":
                conn.execute(
                    pod_groups.insert().values(
                        pod_id=access.pod_id, group_id=recipient, role=role, wrapped_key=wrapped
                    )
                )
                people = _group_members(conn, recipient)
            else:
                conn.execute(
                    pod_members.insert().values(
                        pod_id=access.pod_id,
                        user_id=recipient,
                        role=role,
                        wrapped_key=wrapped,
                        alias=_free_alias(conn, recipient, access.name, actor.name),
                    )
                )
                people = [recipient]
            emit(conn, people, "share.received", {"pod_id": access.pod_id, "role": role})
            audit(
                conn,
                actor.user_id,
                "pod.shared",
                {"pod": access.pod_id, "role": role, kind: user or group},
            )

        try:
            await self.ctx.db.write(add)
        except UniqueViolation as exc:
            raise Conflict("they are a member of this pod already") from exc
        return await self.members(actor, pod)

    async def members(self, actor: Actor, pod: str) -> list[PodMember]:
        def query(conn: Connection) -> list[PodMember]:
            access = authorize(conn, actor, pod, Level.READ)
            people = conn.execute(
                sa.select(users.c.name, pod_members.c.role)
                .join(users, users.c.id == pod_members.c.user_id)
                .where(pod_members.c.pod_id == access.pod_id)
                .order_by(users.c.name)
            ).all()
            teams = conn.execute(
                sa.select(groups.c.name, pod_groups.c.role)
                .join(groups, groups.c.id == pod_groups.c.group_id)
                .where(pod_groups.c.pod_id == access.pod_id)
                .order_by(groups.c.name)
            ).all()
            return [PodMember(user=p.name, group=None, role=p.role) for p in people] + [
                PodMember(user=None, group=g.name, role=g.role) for g in teams
            ]

        return await self.ctx.db.read(query)

    async def remove_member(
        self, actor: Actor, pod: str, *, user: str | None = None, group: str | None = None
    ) -> None:
        """A manager removes anyone; a member may leave a pod shared with them."""

        def remove(conn: Connection) -> None:
            access = authorize(conn, actor, pod, Level.READ)
            kind, recipient, _ = recipient_key(conn, user, group)
            if not (kind == "user" and recipient == actor.user_id):
                authorize(conn, actor, pod, Level.MANAGE)
            if kind == "user" and recipient == access.owner_id:
                raise Conflict("the owner cannot leave their own pod; delete it instead")
            table = pod_members if kind == "user" else pod_groups
            column = table.c.user_id if kind == "user" else table.c.group_id
            done = conn.execute(
                table.delete().where(table.c.pod_id == access.pod_id, column == recipient)
            )
            if not done.rowcount:
                raise NotFound("not a member")
            access_revoked(conn, pod_id=access.pod_id)
            audit(conn, actor.user_id, "pod.unshared", {"pod": access.pod_id, kind: user or group})

        await self.ctx.db.write(remove)

    # -- fork --------------------------------------------------------------------------------

    async def fork(
        self, actor: Actor, pod: str, name: str, *, reader: Actor | None = None
    ) -> PodRef:
        """A new pod of the actor's with a full, independent copy of what they can read, or
        of what `reader` (a link's actor: FairOS's fork-from-reference) reads at scope `pod`.

        The fork keeps the source's keys, so its chunks are shared, not copied.
        """
        name = pod_name(name)
        source = reader or actor
        access, secrets = await self._secrets(source, pod, Level.READ)

        def fork(conn: Connection) -> str:
            authorize(conn, source, pod, Level.READ)
            root = get_node(conn, access.root_id)
            if root is None or root.kind != "dir":
                raise Invalid("only pods and folders can be forked")
            check_copy_size(conn, root.id, self.ctx.settings.max_copy_nodes)
            public_key = conn.execute(
                sa.select(users.c.public_key).where(users.c.id == actor.user_id)
            ).scalar_one()
            pod_id, root_id, t = new_id(), new_id(), now()
            conn.execute(
                pods.insert().values(
                    id=pod_id,
                    owner_id=actor.user_id,
                    name=name,
                    compression=access.compression,
                    versions_kept=access.versions_kept,
                    quota_bytes=0,
                    used_bytes=0,
                    root_id=root_id,
                    created_at=t,
                )
            )
            mapping = _copy_nodes(conn, access, pod_id, root_id)
            conn.execute(
                pod_members.insert().values(
                    pod_id=pod_id,
                    user_id=actor.user_id,
                    role="owner",
                    alias=name,
                    wrapped_key=crypto.wrap_for(bytes(public_key), secrets, pod_id.encode()),
                )
            )
            used = _copy_versions(conn, access.pod_id, mapping)
            conn.execute(pods.update().where(pods.c.id == pod_id).values(used_bytes=used))
            audit(conn, actor.user_id, "pod.forked", {"from": access.pod_id, "pod": pod_id})
            return pod_id

        try:
            pod_id = await self.ctx.db.write(fork)
        except UniqueViolation as exc:
            raise Conflict(f"you already have a pod named {name!r}") from exc
        return PodRef(id=pod_id, name=name)

    # -- node ids ----------------------------------------------------------------------------

    async def locate(self, actor: Actor, node_id: str) -> tuple[str, str]:
        """(scope, path) through which the actor reaches a node by id; NotFound otherwise."""
        return await self.ctx.db.read(lambda c: locate(c, actor, node_id))

    async def node_info(self, actor: Actor, scope: str, path: str) -> ScopedNode:
        def query(conn: Connection) -> ScopedNode:
            access = authorize(conn, actor, scope, Level.READ)
            node = resolve(conn, access, split_path(path))
            return ScopedNode(
                node=node_info(node),
                pod_id=access.pod_id,
                scope=access.alias,
                access=role_name(access.role),
                no_download=access.no_download,
                owner=pod_owner(conn, access.pod_id),
                starred=bool(starred_among(conn, actor.user_id, [node.id])),
            )

        return await self.ctx.db.read(query)


def _group_members(conn: Connection, group_id: str) -> list[str]:
    return list(
        conn.execute(
            sa.select(group_members.c.user_id).where(group_members.c.group_id == group_id)
        ).scalars()
    )


def _free_alias(conn: Connection, user_id: str, name: str, owner: str) -> str:
    taken = set(
        conn.execute(
            sa.select(pod_members.c.alias).where(pod_members.c.user_id == user_id)
        ).scalars()
    )
    candidates = [name, f"{name} ({owner})"] + [f"{name} ({owner} {n})" for n in range(2, 100)]
    return next(c for c in candidates if c not in taken)


def _copy_nodes(conn: Connection, access: PodAccess, pod_id: str, root_id: str) -> dict[str, str]:
    """Copy the live tree below the scope root into `pod_id`; old id -> new id."""
    mapping: dict[str, str] = {}
    pending: list[tuple[str, str | None]] = [(access.root_id, None)]
    t = now()
    while pending:
        old_id, new_parent = pending.pop()
        node = get_node(conn, old_id)
        assert node is not None
        new = mapping[old_id] = new_id() if new_parent else root_id
        conn.execute(
            nodes.insert().values(
                id=new,
                pod_id=pod_id,
                parent_id=new_parent,
                name=node.name if new_parent else "",
                kind=node.kind,
                size=node.size,
                content_type=node.content_type,
                mode=node.mode,
                version_id=None,
                created_by=node.created_by,
                created_at=t,
                modified_at=t,
            )
        )
        if node.kind == "dir":
            kids = conn.execute(
                sa.select(nodes.c.id).where(
                    nodes.c.parent_id == old_id, nodes.c.trashed_at.is_(None)
                )
            ).scalars()
            pending.extend((kid, new) for kid in kids)
    return mapping


def _copy_versions(conn: Connection, source_pod: str, mapping: dict[str, str]) -> int:
    used = 0
    old_ids = list(mapping)
    for start in range(0, len(old_ids), 500):
        batch = old_ids[start : start + 500]
        rows = conn.execute(sa.select(versions).where(versions.c.node_id.in_(batch))).all()
        currents = dict(
            conn.execute(
                sa.select(nodes.c.id, nodes.c.version_id).where(nodes.c.id.in_(batch))
            ).all()
        )
        for row in rows:
            version_id = new_id()
            conn.execute(
                versions.insert().values(
                    id=version_id,
                    node_id=mapping[row.node_id],
                    number=row.number,
                    size=row.size,
                    content_hash=row.content_hash,
                    content_type=row.content_type,
                    manifest=row.manifest,
                    keys_pod_id=row.keys_pod_id,
                    created_by=row.created_by,
                    created_at=row.created_at,
                )
            )
            add_refs(conn, source_pod, Manifest.from_bytes(row.manifest))
            used += row.size
            if currents.get(row.node_id) == row.id:
                conn.execute(
                    nodes.update()
                    .where(nodes.c.id == mapping[row.node_id])
                    .values(version_id=version_id)
                )
    return used


__all__ = ["Sharing", "audience"]
