"""Small JSON values kept for one login session, in the database so that every node sees
them (FairOS's open pods and KV iterators). They end with the session: logout, expiry and
account deletion remove them with it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Invalid, Unauthenticated
from podstore.meta.prepared import Prepared, upsert_of
from podstore.meta.session_schema import session_state

MAX_VALUE_CHARS = 64 * 1024
_GET = Prepared(
    sa.select(session_state.c.value).where(
        session_state.c.session_id == sa.bindparam("session_id"),
        session_state.c.key == sa.bindparam("key"),
    )
)
_PUT = Prepared(
    upsert_of(
        session_state,
        ["session_id", "key"],
        lambda new: {"value": new.value, "updated_at": new.updated_at},
    )
)


def _session(actor: Actor) -> str:
    if not actor.session_id:
        raise Unauthenticated("this needs a login session")
    return actor.session_id


class SessionState:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def get(self, actor: Actor, key: str) -> Any:
        """The value under `key` for the actor's session, or None."""
        params = {"session_id": _session(actor), "key": key}
        row = await self.ctx.db.read_now(lambda c: _GET.first(c, params))
        return None if row is None else row.value

    async def put(self, actor: Actor, key: str, value: Any) -> None:
        params = {"session_id": _session(actor), "key": key, "value": value, "updated_at": now()}
        if len(key) > 255 or len(repr(value)) > MAX_VALUE_CHARS:
            raise Invalid("session state is kept for short keys and small values")

        def put(conn: Connection) -> None:
            _PUT.run(conn, params)

        await self.ctx.db.write(put)

    async def delete(self, actor: Actor, key: str) -> None:
        session_id = _session(actor)
        await self.ctx.db.write(
            lambda c: c.execute(
                session_state.delete().where(
                    session_state.c.session_id == session_id, session_state.c.key == key
                )
            )
        )
