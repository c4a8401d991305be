"""Quota checks: the pod's own quota and the owner's quota over all the pods they own."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.access import PodAccess
from podstore.core.errors import QuotaExceeded
from podstore.meta.schema import pods, users


def check_quota(conn: Connection, access: PodAccess, extra: int) -> None:
    """Raise QuotaExceeded if adding `extra` bytes to the pod would pass a quota."""
    if extra <= 0:
        return
    pod = conn.execute(
        sa.select(pods.c.used_bytes, pods.c.quota_bytes).where(pods.c.id == access.pod_id)
    ).one()
    if pod.quota_bytes and pod.used_bytes + extra > pod.quota_bytes:
        raise QuotaExceeded(f"the pod's quota of {pod.quota_bytes} bytes would be exceeded")
    quota = conn.execute(
        sa.select(users.c.quota_bytes).where(users.c.id == access.owner_id)
    ).scalar()
    if quota:
        used = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(pods.c.used_bytes), 0)).where(
                pods.c.owner_id == access.owner_id
            )
        ).scalar_one()
        if used + extra > quota:
            raise QuotaExceeded(f"the owner's quota of {quota} bytes would be exceeded")
