"""Quota checks: the pod's own quota and the owner's quota over all the pods they own."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.access.authorize import PodAccess
from podstore.core.errors import QuotaExceeded
from podstore.meta.prepared import Prepared
from podstore.meta.schema import pods, users

_QUOTAS = Prepared(
    sa.select(pods.c.used_bytes, pods.c.quota_bytes, users.c.quota_bytes.label("owner_quota"))
    .outerjoin(users, users.c.id == pods.c.owner_id)
    .where(pods.c.id == sa.bindparam("pod_id"))
)


def check_quota(conn: Connection, access: PodAccess, extra: int) -> None:
    """Raise QuotaExceeded if adding `extra` bytes to the pod would pass a quota."""
    if extra <= 0:
        return
    row = _QUOTAS.first(conn, {"pod_id": access.pod_id})
    if row.quota_bytes and row.used_bytes + extra > row.quota_bytes:
        raise QuotaExceeded(f"the pod's quota of {row.quota_bytes} bytes would be exceeded")
    if row.owner_quota:
        used = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(pods.c.used_bytes), 0)).where(
                pods.c.owner_id == access.owner_id
            )
        ).scalar_one()
        if used + extra > row.owner_quota:
            raise QuotaExceeded(f"the owner's quota of {row.owner_quota} bytes would be exceeded")
