"""The audit log of security-relevant actions, readable by its owner.

CONTRACT: audit(conn, user_id, action, detail, address=None) inside the transaction of the
action; `user_id` is whose log it lands in (the owner of the account, pod or item).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.context import Actor, CoreContext, now
from podstore.core.records import AuditEntry, OffsetPage
from podstore.meta.social_schema import audit_log

MAX_PAGE = 1000


def audit(
    conn: Connection, user_id: str, action: str, detail: dict[str, Any], address: str | None = None
) -> None:
    conn.execute(
        audit_log.insert().values(
            user_id=user_id,
            action=action[:64],
            detail=json.loads(json.dumps(detail, default=str)),
            address=address[:255] if address else None,
            at=now(),
        )
    )


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(row.id, row.action, row.detail, row.address, row.at)


class AuditLog:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def list(self, actor: Actor, offset: int = 0, limit: int = 100) -> OffsetPage[AuditEntry]:
        """The actor's own log, newest first."""
        offset, limit = max(0, offset), min(max(1, limit), MAX_PAGE)

        def query(conn: Connection) -> OffsetPage[AuditEntry]:
            mine = audit_log.c.user_id == actor.user_id
            rows = conn.execute(
                sa.select(audit_log)
                .where(mine)
                .order_by(audit_log.c.id.desc())
                .offset(offset)
                .limit(limit)
            ).all()
            total = conn.execute(
                sa.select(sa.func.count()).select_from(audit_log).where(mine)
            ).scalar_one()
            return OffsetPage([_entry(r) for r in rows], offset, limit, total)

        return await self.ctx.db.read(query)
