"""The one permission check. Every core operation on a pod asks `authorize` first.

A user reaches a pod through a membership with a role; a pod the user cannot reach at all
is reported as not found, so other users' pods cannot be discovered by probing names.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from enum import IntEnum
from threading import Lock

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core import crypto
from podstore.core.context import Actor
from podstore.core.errors import NotFound, PermissionDenied
from podstore.meta.schema import pod_members, pods
from podstore.storage.engine import Compression, PodKeys


class Role(IntEnum):
    VIEWER = 1
    EDITOR = 2
    OWNER = 3

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls[value.upper()]
        except KeyError:
            from podstore.core.errors import Invalid

            raise Invalid("a role is viewer, editor or owner") from None


@dataclass(frozen=True)
class PodAccess:
    pod_id: str
    alias: str
    name: str
    owner_id: str
    root_id: str
    role: Role
    compression: Compression
    versions_kept: int
    quota_bytes: int
    used_bytes: int
    read_only: bool
    wrapped_key: bytes


def authorize(conn: Connection, actor: Actor, pod_ref: str, need: Role) -> PodAccess:
    """The actor's access to the pod named `pod_ref` (alias or id), if it is at least `need`."""
    row = conn.execute(
        sa.select(pods, pod_members.c.role, pod_members.c.alias, pod_members.c.wrapped_key)
        .join(pod_members, pod_members.c.pod_id == pods.c.id)
        .where(pod_members.c.user_id == actor.user_id)
        .where(sa.or_(pod_members.c.alias == pod_ref, pods.c.id == pod_ref))
        .order_by(sa.case((pod_members.c.alias == pod_ref, 0), else_=1))
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(f"no pod {pod_ref!r}")
    access = PodAccess(
        pod_id=row.id,
        alias=row.alias,
        name=row.name,
        owner_id=row.owner_id,
        root_id=row.root_id,
        role=Role.parse(row.role),
        compression=row.compression,
        versions_kept=row.versions_kept,
        quota_bytes=row.quota_bytes,
        used_bytes=row.used_bytes,
        read_only=bool(row.read_only),
        wrapped_key=bytes(row.wrapped_key),
    )
    if access.role < need or (need > Role.VIEWER and access.read_only):
        raise PermissionDenied(f"this needs {need.name.lower()} access to the pod")
    return access


class PodKeyCache:
    """Unwrapped pod keys, per (pod, user), so a request does not redo X25519 each time."""

    def __init__(self, size: int = 1024) -> None:
        self._items: OrderedDict[tuple[str, str], crypto.PodSecrets] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def keys(self, access: PodAccess, actor: Actor) -> PodKeys:
        cache_key = (access.pod_id, actor.user_id)
        with self._lock:
            secrets = self._items.get(cache_key)
            if secrets is not None:
                self._items.move_to_end(cache_key)
        if secrets is None:
            raw = crypto.unwrap_with(actor.private_key, access.wrapped_key, access.pod_id.encode())
            secrets = crypto.PodSecrets.from_bytes(raw)
            with self._lock:
                self._items[cache_key] = secrets
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        return PodKeys(secrets.data_key, secrets.dedup_key, access.compression)

    def forget_pod(self, pod_id: str) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == pod_id]:
                del self._items[key]
