"""The one permission check. Every core operation on pod content asks `authorize` first.

A pod reference names a *scope* of access:

- a pod alias or id: the actor is a member of the pod, directly or through a group;
- `share:<grant id>`: a grant on a node (and everything below it) to the actor or a group
  of theirs; the scope's root is the granted node, so no path can leave it;
- `link:<link id>`: a public link, for an anonymous actor that proved the link's secret;
- `filestore:<pod id>`: a file-service pod, for the file service acting for someone its own
  rules allowed (`core/filestore/`), holding the service key the pod's secrets are sealed with.

Anything the actor cannot reach at all is reported as not found, so other users' pods and
items cannot be discovered by probing. The same scopes decide who hears about a change
(`audience`).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from enum import IntEnum
from threading import Lock
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.engine import Connection, Row

from podstore.core.accounts import crypto
from podstore.core.context import Actor, now
from podstore.core.errors import Invalid, NotFound, PermissionDenied
from podstore.meta.filestore_schema import filestore_pods
from podstore.meta.prepared import Prepared
from podstore.meta.schema import nodes, pod_members, pods, users
from podstore.meta.sharing_schema import (
    grants,
    group_members,
    groups,
    links,
    pod_foreign_keys,
    pod_groups,
)
from podstore.storage.engine import Compression, PodKeys

DOWNLOAD = "download"  # the purpose of a key that only reads (Actor.purpose)


class Level(IntEnum):
    READ = 1
    WRITE = 2
    DELETE = 3
    MANAGE = 4


class Role:
    """What an operation needs, named after the member roles: viewers read, editors write."""

    VIEWER = Level.READ
    EDITOR = Level.WRITE
    OWNER = Level.MANAGE


MEMBER_ROLES = {"viewer": Level.READ, "editor": Level.DELETE, "owner": Level.MANAGE}
GRANT_LEVELS = {"read": Level.READ, "write": Level.WRITE, "delete": Level.DELETE}


def parse_role(value: str) -> Level:
    if value not in MEMBER_ROLES:
        raise Invalid("a role is viewer, editor or owner")
    return MEMBER_ROLES[value]


def parse_level(value: str) -> Level:
    if value not in GRANT_LEVELS:
        raise Invalid("a share level is read, write or delete")
    return GRANT_LEVELS[value]


def role_name(level: Level) -> str:
    return {v: k for k, v in MEMBER_ROLES.items()}.get(level) or level.name.lower()


@dataclass(frozen=True)
class KeyPath:
    """How the scope's holder opens the pod secrets."""

    wrapped: bytes  # pod secrets: wrapped for a public key, or sealed with a link secret
    group_key: bytes | None = None  # a group's private key, wrapped for the actor
    group_id: str | None = None
    link_secret: bytes | None = None


@dataclass(frozen=True)
class PodAccess:
    pod_id: str
    alias: str
    name: str
    owner_id: str | None
    root_id: str  # the scope's root: the pod root, or the shared node
    role: Level
    compression: Compression
    versions_kept: int
    quota_bytes: int
    used_bytes: int
    read_only: bool
    key: KeyPath
    scope: str = "member"  # member, group, grant, link or filestore
    no_download: bool = False
    upload_only: bool = False

    @property
    def is_member(self) -> bool:
        return self.scope in ("member", "group")


def _pod_fields(row: Any) -> dict[str, Any]:
    return {
        "pod_id": row.id,
        "name": row.name,
        "owner_id": row.owner_id,
        "compression": row.compression,
        "versions_kept": row.versions_kept,
        "quota_bytes": row.quota_bytes,
        "used_bytes": row.used_bytes,
    }


_MEMBER = Prepared(
    sa.select(pods, pod_members.c.role, pod_members.c.alias, pod_members.c.wrapped_key)
    .join(pod_members, pod_members.c.pod_id == pods.c.id)
    .where(pod_members.c.user_id == sa.bindparam("user_id"))
    .where(sa.or_(pod_members.c.alias == sa.bindparam("ref"), pods.c.id == sa.bindparam("ref")))
    .order_by(sa.case((pod_members.c.alias == sa.bindparam("ref"), 0), else_=1))
    .limit(1)
)


def _member_access(conn: Connection, actor: Actor, pod_ref: str) -> PodAccess | None:
    row = _MEMBER.first(conn, {"user_id": actor.user_id, "ref": pod_ref})
    if row is not None:
        return PodAccess(
            **_pod_fields(row),
            alias=row.alias,
            root_id=row.root_id,
            role=parse_role(row.role),
            read_only=bool(row.read_only),
            key=KeyPath(bytes(row.wrapped_key)),
        )
    group_name, sep, pod_name = pod_ref.partition(":")
    match = (
        (pods.c.id == pod_ref)
        if not sep
        else sa.and_(groups.c.name == group_name, pods.c.name == pod_name)
    )
    rows = conn.execute(
        sa.select(
            pods,
            pod_groups.c.role,
            pod_groups.c.wrapped_key,
            groups.c.name.label("group"),
            groups.c.id.label("group_id"),
            group_members.c.role.label("member_role"),
            group_members.c.wrapped_key.label("group_key"),
        )
        .join(pod_groups, pod_groups.c.pod_id == pods.c.id)
        .join(groups, groups.c.id == pod_groups.c.group_id)
        .join(group_members, group_members.c.group_id == groups.c.id)
        .where(group_members.c.user_id == actor.user_id, match)
    ).all()
    if not rows:
        return None
    # through several groups, the best role wins; a group's role caps its members' roles
    best = max(rows, key=lambda r: min(parse_role(r.role), parse_role(r.member_role)))
    return PodAccess(
        **_pod_fields(best),
        alias=f"{best.group}:{best.name}",
        root_id=best.root_id,
        role=min(parse_role(best.role), parse_role(best.member_role)),
        read_only=bool(best.read_only),
        scope="group",
        key=KeyPath(bytes(best.wrapped_key), bytes(best.group_key), best.group_id),
    )


def actor_group_ids(conn: Connection, user_id: str) -> list[str]:
    return list(
        conn.execute(
            sa.select(group_members.c.group_id).where(group_members.c.user_id == user_id)
        ).scalars()
    )


def _live_chain(conn: Connection, node_id: str) -> list[Row[Any]] | None:
    """The node and its ancestors up to the pod root, or None if any is in the trash."""
    chain: list[Row[Any]] = []
    current = conn.execute(sa.select(nodes).where(nodes.c.id == node_id)).first()
    while current is not None:
        if current.trashed_at is not None:
            return None
        chain.append(current)
        if current.parent_id is None:
            return chain
        current = conn.execute(sa.select(nodes).where(nodes.c.id == current.parent_id)).first()
    return None


def _grant_access(conn: Connection, actor: Actor, grant_id: str) -> PodAccess | None:
    row = conn.execute(
        sa.select(grants, group_members.c.wrapped_key.label("group_key"))
        .outerjoin(
            group_members,
            sa.and_(
                group_members.c.group_id == grants.c.group_id,
                group_members.c.user_id == actor.user_id,
            ),
        )
        .where(grants.c.id == grant_id)
    ).first()
    if row is None or (row.user_id != actor.user_id and row.group_key is None):
        return None
    if row.expires_at is not None and row.expires_at <= now():
        return None
    node = conn.execute(sa.select(nodes).where(nodes.c.id == row.node_id)).first()
    if node is None or _live_chain(conn, node.id) is None:
        return None
    pod = conn.execute(sa.select(pods).where(pods.c.id == row.pod_id)).one()
    via_group = row.user_id != actor.user_id
    return PodAccess(
        **_pod_fields(pod),
        alias=f"share:{row.id}",
        root_id=row.node_id,
        role=parse_level(row.level),
        read_only=False,
        scope="grant",
        no_download=bool(row.no_download),
        key=KeyPath(
            bytes(row.wrapped_key),
            bytes(row.group_key) if via_group else None,
            row.group_id if via_group else None,
        ),
    )


def _link_access(conn: Connection, actor: Actor, link_id: str) -> PodAccess | None:
    if actor.link_secret is None or actor.user_id != f"link:{link_id}":
        return None
    row = conn.execute(sa.select(links).where(links.c.id == link_id)).first()
    if row is None or not crypto.constant_time_equal(
        row.secret_hash, crypto.token_hash(actor.link_secret)
    ):
        return None
    if row.expires_at is not None and row.expires_at <= now():
        return None
    if _live_chain(conn, row.node_id) is None:
        return None
    pod = conn.execute(sa.select(pods).where(pods.c.id == row.pod_id)).one()
    return PodAccess(
        **_pod_fields(pod),
        alias=f"link:{row.id}",
        root_id=row.node_id,
        role=Level.WRITE if row.upload_only else Level.READ,
        read_only=False,
        scope="link",
        upload_only=bool(row.upload_only),
        key=KeyPath(bytes(row.sealed_key), link_secret=actor.link_secret),
    )


def _filestore_access(conn: Connection, actor: Actor, pod_id: str) -> PodAccess | None:
    if actor.link_secret is None:
        return None
    row = conn.execute(
        sa.select(pods, filestore_pods.c.sealed_key, filestore_pods.c.key_hash)
        .join(filestore_pods, filestore_pods.c.pod_id == pods.c.id)
        .where(pods.c.id == pod_id)
    ).first()
    if row is None or not crypto.constant_time_equal(
        row.key_hash, crypto.token_hash(actor.link_secret)
    ):
        return None
    return PodAccess(
        **_pod_fields(row),
        alias=f"filestore:{row.id}",
        root_id=row.root_id,
        role=Level.DELETE,
        read_only=bool(row.read_only),
        scope="filestore",
        key=KeyPath(bytes(row.sealed_key), link_secret=actor.link_secret),
    )


def authorize(conn: Connection, actor: Actor, pod_ref: str, need: Level) -> PodAccess:
    """The actor's access to the scope `pod_ref`, if it allows `need`; the one check."""
    if pod_ref.startswith("share:"):
        access = _grant_access(conn, actor, pod_ref[6:])
    elif pod_ref.startswith("link:"):
        access = _link_access(conn, actor, pod_ref[5:])
    elif pod_ref.startswith("filestore:"):
        access = _filestore_access(conn, actor, pod_ref[10:])
    elif actor.link_secret is not None:
        access = None
    else:
        access = _member_access(conn, actor, pod_ref)
    if access is None:
        raise NotFound(f"no pod {pod_ref!r}")
    if actor.purpose == DOWNLOAD and need > Level.READ:
        raise PermissionDenied("a download key only reads")
    if access.upload_only and need == Level.READ:
        raise PermissionDenied("this link only accepts uploads")
    if access.role < need or (need > Level.READ and access.read_only):
        raise PermissionDenied(f"this needs {role_name(need)} access")
    return access


def require_download(access: PodAccess) -> None:
    if access.no_download:
        raise PermissionDenied("the owner does not allow downloading this item")


def _audience_statement(with_node: bool) -> Any:
    """Built once: members, group members and, with a node, its live grantees."""
    parts: list[sa.Select[Any]] = [
        sa.select(pod_members.c.user_id).where(pod_members.c.pod_id == sa.bindparam("pod_id")),
        sa.select(group_members.c.user_id)
        .join(pod_groups, pod_groups.c.group_id == group_members.c.group_id)
        .where(pod_groups.c.pod_id == sa.bindparam("pod_id")),
    ]
    if with_node:
        columns = (nodes.c.id, nodes.c.parent_id, nodes.c.trashed_at)
        start = sa.select(*columns).where(nodes.c.id == sa.bindparam("node_id"))
        up = start.cte("up", recursive=True)
        up = up.union_all(sa.select(*columns).where(nodes.c.id == up.c.parent_id))
        chain = sa.select(up.c.id).scalar_subquery()
        visible = ~sa.exists(sa.select(up.c.id).where(up.c.trashed_at.is_not(None)))
        live = sa.or_(grants.c.expires_at.is_(None), grants.c.expires_at > sa.bindparam("now"))
        parts.append(
            sa.select(grants.c.user_id).where(
                grants.c.node_id.in_(chain), grants.c.user_id.is_not(None), live, visible
            )
        )
        parts.append(
            sa.select(group_members.c.user_id)
            .join(grants, grants.c.group_id == group_members.c.group_id)
            .where(grants.c.node_id.in_(chain), live, visible)
        )
    return sa.union(*parts)


_AUDIENCE = {False: Prepared(_audience_statement(False)), True: Prepared(_audience_statement(True))}


def audience(conn: Connection, pod_id: str, node_id: str | None = None) -> set[str]:
    """Every user who can see the node (or the pod): members, group members, grantees.

    One query: the node's ancestors come from a recursive CTE, and grants count only while
    no folder on the way up is in the trash.
    """
    if node_id is None:
        return {row[0] for row in _AUDIENCE[False].all(conn, {"pod_id": pod_id})}
    params = {"pod_id": pod_id, "node_id": node_id, "now": now()}
    return {row[0] for row in _AUDIENCE[True].all(conn, params)}


def locate(conn: Connection, actor: Actor, node_id: str) -> tuple[str, str]:
    """(scope reference, path inside it) through which the actor best reaches a node."""
    chain = _live_chain(conn, node_id)
    if chain is None:
        raise NotFound("no such node")
    pod_id = chain[0].pod_id
    names = [n.name for n in reversed(chain[:-1])]
    if _member_access(conn, actor, pod_id) is not None:
        return pod_id, "/".join(names)
    ids = [n.id for n in chain]
    mine = sa.or_(
        grants.c.user_id == actor.user_id,
        grants.c.group_id.in_(actor_group_ids(conn, actor.user_id)),
    )
    found = conn.execute(
        sa.select(grants.c.id, grants.c.node_id, grants.c.level).where(
            grants.c.node_id.in_(ids),
            mine,
            sa.or_(grants.c.expires_at.is_(None), grants.c.expires_at > now()),
        )
    ).all()
    if not found:
        raise NotFound("no such node")
    best = max(found, key=lambda g: parse_level(g.level))
    depth = ids.index(best.node_id)  # the granted node's distance above the target
    return f"share:{best.id}", "/".join(names[len(names) - depth :]) if depth else ""


def user_by_name(conn: Connection, name: str) -> Row[Any]:
    row = conn.execute(sa.select(users).where(users.c.name == name)).first()
    if row is None:
        raise NotFound(f"no user {name!r}")
    return row


class PodKeyCache:
    """Unwrapped pod keys, per (pod, holder), so a request does not redo X25519 each time."""

    def __init__(self, size: int = 1024) -> None:
        self._items: OrderedDict[tuple[str, str], crypto.PodSecrets] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def secrets(self, access: PodAccess, actor: Actor) -> crypto.PodSecrets:
        cache_key = (access.pod_id, actor.user_id)
        with self._lock:
            found = self._items.get(cache_key)
            if found is not None:
                self._items.move_to_end(cache_key)
                return found
        found = open_secrets(access, actor)
        with self._lock:
            self._items[cache_key] = found
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return found

    def forget(self, pod_id: str | None = None, user_id: str | None = None) -> None:
        """Drop the keys held for `pod_id`, for `user_id`, or (neither given) all."""
        with self._lock:
            for pod, holder in list(self._items):
                if pod_id in (None, pod) and user_id in (None, holder):
                    del self._items[(pod, holder)]

    def keys(self, access: PodAccess, actor: Actor) -> PodKeys:
        s = self.secrets(access, actor)
        return PodKeys(s.data_key, s.dedup_key, access.compression)


def open_secrets(access: PodAccess, actor: Actor) -> crypto.PodSecrets:
    path = access.key
    context = access.pod_id.encode()
    if path.link_secret is not None:
        raw = crypto.unseal(crypto.hkdf(path.link_secret, b"podstore link"), path.wrapped, context)
        return crypto.PodSecrets.from_bytes(raw)
    if actor.private_key is None:
        raise PermissionDenied("no key to open this pod")
    holder = actor.private_key
    if path.group_key is not None and path.group_id is not None:
        raw_group = crypto.unwrap_with(holder, path.group_key, path.group_id.encode())
        holder = X25519PrivateKey.from_private_bytes(raw_group)
    return crypto.PodSecrets.from_bytes(crypto.unwrap_with(holder, path.wrapped, context))


def foreign_keys(conn: Connection, keys: PodKeys, pod_id: str, source_pod_id: str) -> PodKeys:
    """The keys of `source_pod_id`, under which copies held by `pod_id` are stored."""
    sealed = conn.execute(
        sa.select(pod_foreign_keys.c.sealed_key).where(
            pod_foreign_keys.c.pod_id == pod_id, pod_foreign_keys.c.source_pod_id == source_pod_id
        )
    ).scalar()
    if sealed is None:
        raise NotFound("the keys of this copy are missing")
    raw = crypto.unseal(keys.data_key, bytes(sealed), b"foreign " + source_pod_id.encode())
    secrets = crypto.PodSecrets.from_bytes(raw)
    return PodKeys(secrets.data_key, secrets.dedup_key, keys.compression)
