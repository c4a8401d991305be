"""Paths registered for a first upload that hold no data yet (BitDust's `file_create` before
`file_upload_start`): kept in the database, so they survive a restart and every node of a
cluster sees them. A reservation is the user's own, named by the scope and path they used;
making one needs write access there, and the first upload (or a delete) ends it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.access.authorize import Role, authorize
from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Conflict, Invalid
from podstore.core.names import split_path
from podstore.meta.errors import UniqueViolation
from podstore.meta.keyring_schema import catalog_reservations as reserved

MAX_RESERVATIONS = 10_000
MAX_PATH = 1024


def _key(actor: Actor, scope: str, path: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        reserved.c.user_id == actor.user_id,
        reserved.c.scope == scope,
        reserved.c.path == "/".join(split_path(path)),
    )


class Reservations:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def reserve(self, actor: Actor, scope: str, path: str) -> None:
        parts = split_path(path)
        normal = "/".join(parts)
        if not parts or len(normal) > MAX_PATH or len(scope) > 64:
            raise Invalid(f"a registered path has 1 to {MAX_PATH} characters")

        def insert(conn: Connection) -> None:
            access = authorize(conn, actor, scope, Role.EDITOR)
            count = conn.execute(
                sa.select(sa.func.count()).where(reserved.c.user_id == actor.user_id)
            ).scalar_one()
            if count >= MAX_RESERVATIONS:
                raise Conflict(f"at most {MAX_RESERVATIONS} paths may wait for a first upload")
            conn.execute(
                reserved.insert().values(
                    user_id=actor.user_id,
                    scope=scope,
                    path=normal,
                    pod_id=access.pod_id,
                    created_at=now(),
                )
            )

        try:
            await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            raise Conflict(f"/{normal} is registered already") from exc

    async def is_reserved(self, actor: Actor, scope: str, path: str) -> bool:
        query = sa.select(reserved.c.path).where(_key(actor, scope, path))
        return await self.ctx.db.read(lambda c: c.execute(query).first() is not None)

    async def release(self, actor: Actor, scope: str, path: str) -> bool:
        """End a reservation; whether there was one."""
        statement = reserved.delete().where(_key(actor, scope, path))
        return bool(await self.ctx.db.write(lambda c: c.execute(statement).rowcount))
