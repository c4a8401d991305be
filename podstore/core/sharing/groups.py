"""Groups: members with roles, a key pair per group, and pods the group owns (group drives).

The group's private key is wrapped for each member's public key, so any member can open
what was shared with the group, and a removed member loses the wrapped copy at once.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import Level, parse_role, role_name, user_by_name
from podstore.core.access.revocations import access_revoked
from podstore.core.accounts import crypto
from podstore.core.context import Actor, CoreContext, new_id, now
from podstore.core.errors import Conflict, NotFound, PermissionDenied
from podstore.core.names import validate_user_name
from podstore.core.pods.pods import drop_pod, insert_pod, pod_name
from podstore.core.records import GroupDetail, GroupInfo, GroupMember, PodRef
from podstore.core.social.audit import audit
from podstore.meta.errors import UniqueViolation
from podstore.meta.schema import pods, users
from podstore.meta.sharing_schema import group_members, groups, pod_groups
from podstore.meta.social_schema import messages


def group_member_ids(conn: Connection, group_id: str) -> list[str]:
    return list(
        conn.execute(
            sa.select(group_members.c.user_id).where(group_members.c.group_id == group_id)
        ).scalars()
    )


def membership(conn: Connection, actor: Actor, group: str) -> Row[Any]:
    """The actor's membership row (with the group's columns) of the group named `group`."""
    row = conn.execute(
        sa.select(groups, group_members.c.role, group_members.c.wrapped_key)
        .join(group_members, group_members.c.group_id == groups.c.id)
        .where(
            group_members.c.user_id == actor.user_id,
            sa.or_(groups.c.name == group, groups.c.id == group),
        )
    ).first()
    if row is None:
        raise NotFound(f"no group {group!r}")
    return row


def require_role(row: Row[Any], need: Level) -> None:
    if parse_role(row.role) < need:
        raise PermissionDenied(f"this needs {role_name(need)} rights in the group")


def group_private_key(actor: Actor, row: Row[Any]) -> X25519PrivateKey:
    if actor.private_key is None:
        raise PermissionDenied("no key to open the group")
    raw = crypto.unwrap_with(actor.private_key, bytes(row.wrapped_key), row.id.encode())
    return X25519PrivateKey.from_private_bytes(raw)


def describe(row: Row[Any], members: int) -> GroupInfo:
    return GroupInfo(
        id=row.id, name=row.name, role=row.role, members=members, created_at=row.created_at
    )


class Groups:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def create(self, actor: Actor, name: str) -> GroupInfo:
        name = validate_user_name(name)
        group_id, key = new_id(), X25519PrivateKey.generate()

        def insert(conn: Connection) -> GroupInfo:
            mine = conn.execute(
                sa.select(users.c.public_key).where(users.c.id == actor.user_id)
            ).scalar_one()
            conn.execute(
                groups.insert().values(
                    id=group_id,
                    name=name,
                    public_key=crypto.public_bytes(key),
                    created_by=actor.user_id,
                    created_at=now(),
                )
            )
            conn.execute(
                group_members.insert().values(
                    group_id=group_id,
                    user_id=actor.user_id,
                    role="owner",
                    added_at=now(),
                    wrapped_key=crypto.wrap_for(
                        bytes(mine), crypto.private_bytes(key), group_id.encode()
                    ),
                )
            )
            audit(conn, actor.user_id, "group.created", {"group": name})
            return describe(membership(conn, actor, group_id), 1)

        try:
            return await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            raise Conflict(f"the group name {name!r} is taken") from exc

    async def list(self, actor: Actor) -> list[GroupInfo]:
        def query(conn: Connection) -> list[GroupInfo]:
            counts = (
                sa.select(group_members.c.group_id, sa.func.count().label("n"))
                .group_by(group_members.c.group_id)
                .subquery()
            )
            rows = conn.execute(
                sa.select(groups, group_members.c.role, counts.c.n)
                .join(group_members, group_members.c.group_id == groups.c.id)
                .join(counts, counts.c.group_id == groups.c.id)
                .where(group_members.c.user_id == actor.user_id)
                .order_by(groups.c.name)
            ).all()
            return [describe(r, r.n) for r in rows]

        return await self.ctx.db.read(query)

    async def get(self, actor: Actor, group: str) -> GroupDetail:
        def query(conn: Connection) -> GroupDetail:
            row = membership(conn, actor, group)
            members = conn.execute(
                sa.select(users.c.name, group_members.c.role, group_members.c.added_at)
                .join(users, users.c.id == group_members.c.user_id)
                .where(group_members.c.group_id == row.id)
                .order_by(users.c.name)
            ).all()
            owned = conn.execute(
                sa.select(pods.c.id, pods.c.name).where(pods.c.owner_group_id == row.id)
            ).all()
            return GroupDetail(
                group=describe(row, len(members)),
                members=[GroupMember(name=m.name, role=m.role) for m in members],
                pods=[PodRef(id=p.id, name=f"{row.name}:{p.name}") for p in owned],
            )

        return await self.ctx.db.read(query)

    async def rename(self, actor: Actor, group: str, new_name: str) -> GroupDetail:
        new_name = validate_user_name(new_name)

        def change(conn: Connection) -> str:
            row = membership(conn, actor, group)
            require_role(row, Level.MANAGE)
            conn.execute(groups.update().where(groups.c.id == row.id).values(name=new_name))
            return str(row.id)

        try:
            group_id = await self.ctx.db.write(change)
        except UniqueViolation as exc:
            raise Conflict(f"the group name {new_name!r} is taken") from exc
        return await self.get(actor, group_id)

    async def delete(self, actor: Actor, group: str) -> None:
        def remove(conn: Connection) -> None:
            row = membership(conn, actor, group)
            require_role(row, Level.MANAGE)
            for pod_id in conn.execute(
                sa.select(pods.c.id).where(pods.c.owner_group_id == row.id)
            ).scalars():
                drop_pod(conn, pod_id)
            conn.execute(messages.delete().where(messages.c.group_id == row.id))
            conn.execute(groups.delete().where(groups.c.id == row.id))
            audit(conn, actor.user_id, "group.deleted", {"group": row.name})

        await self.ctx.db.write(remove)

    async def add_member(self, actor: Actor, group: str, user: str, role: str) -> GroupDetail:
        parse_role(role)

        def add(conn: Connection) -> None:
            row = membership(conn, actor, group)
            require_role(row, Level.MANAGE)
            member = user_by_name(conn, user)
            wrapped = crypto.wrap_for(
                bytes(member.public_key),
                crypto.private_bytes(group_private_key(actor, row)),
                row.id.encode(),
            )
            conn.execute(
                group_members.insert().values(
                    group_id=row.id,
                    user_id=member.id,
                    role=role,
                    wrapped_key=wrapped,
                    added_at=now(),
                )
            )
            audit(conn, actor.user_id, "group.member_added", {"group": row.name, "user": user})

        try:
            await self.ctx.db.write(add)
        except UniqueViolation as exc:
            raise Conflict(f"{user} is a member already") from exc
        return await self.get(actor, group)

    async def set_role(self, actor: Actor, group: str, user: str, role: str) -> GroupDetail:
        parse_role(role)

        def change(conn: Connection) -> None:
            row = membership(conn, actor, group)
            require_role(row, Level.MANAGE)
            member = user_by_name(conn, user)
            if role != "owner":
                _keep_an_owner(conn, row.id, member.id)
            done = conn.execute(
                group_members.update()
                .where(group_members.c.group_id == row.id, group_members.c.user_id == member.id)
                .values(role=role)
            )
            if not done.rowcount:
                raise NotFound(f"{user} is not a member")

        await self.ctx.db.write(change)
        return await self.get(actor, group)

    async def remove_member(self, actor: Actor, group: str, user: str) -> None:
        """Owners remove anyone; a member may remove themselves (leave)."""

        def remove(conn: Connection) -> None:
            row = membership(conn, actor, group)
            member = user_by_name(conn, user)
            if member.id != actor.user_id:
                require_role(row, Level.MANAGE)
            _keep_an_owner(conn, row.id, member.id)
            done = conn.execute(
                group_members.delete().where(
                    group_members.c.group_id == row.id, group_members.c.user_id == member.id
                )
            )
            if not done.rowcount:
                raise NotFound(f"{user} is not a member")
            access_revoked(conn, user_id=member.id)
            audit(conn, actor.user_id, "group.member_removed", {"group": row.name, "user": user})

        await self.ctx.db.write(remove)

    async def create_pod(self, actor: Actor, group: str, name: str) -> PodRef:
        """A pod the group owns: its members reach it with their group role."""
        name = pod_name(name)

        def insert(conn: Connection) -> PodRef:
            row = membership(conn, actor, group)
            require_role(row, Level.MANAGE)
            taken = conn.execute(
                sa.select(pods.c.id).where(pods.c.owner_group_id == row.id, pods.c.name == name)
            ).first()
            if taken:
                raise Conflict(f"the group has a pod named {name!r} already")
            pod_id, secrets = insert_pod(
                conn,
                name=name,
                created_by=actor.user_id,
                owner_group_id=row.id,
                versions_kept=self.ctx.settings.versions_kept,
            )
            conn.execute(
                pod_groups.insert().values(
                    pod_id=pod_id,
                    group_id=row.id,
                    role="owner",
                    wrapped_key=crypto.wrap_for(
                        bytes(row.public_key), secrets.to_bytes(), pod_id.encode()
                    ),
                )
            )
            return PodRef(id=pod_id, name=f"{row.name}:{name}")

        return await self.ctx.db.write(insert)


def _keep_an_owner(conn: Connection, group_id: str, leaving: str) -> None:
    owners = set(
        conn.execute(
            sa.select(group_members.c.user_id).where(
                group_members.c.group_id == group_id, group_members.c.role == "owner"
            )
        ).scalars()
    )
    if owners == {leaving}:
        raise Conflict("a group needs an owner: make someone else owner first")
