"""Contacts (BitDust's friends): other users a user keeps in a list, with aliases of their own.

A contact is named by the user's name or by the alias given to it. Adding someone tells no
one; the owner's own stream gets `contact.*` events so the list stays in step on every device.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.records import Contact
from podstore.core.social.events import emit
from podstore.meta.errors import UniqueViolation
from podstore.meta.schema import users
from podstore.meta.social_schema import contacts

MAX_ALIAS = 64


def clean_alias(alias: str | None) -> str | None:
    if alias is None:
        return None
    if not isinstance(alias, str):
        raise Invalid("an alias is a string")
    alias = alias.strip()
    if not alias:
        return None
    if len(alias) > MAX_ALIAS or not alias.isprintable():
        raise Invalid(f"an alias is at most {MAX_ALIAS} printable characters")
    return alias


def _select(owner_id: str) -> sa.Select[Any]:
    return (
        sa.select(users.c.id, users.c.name, contacts.c.alias, contacts.c.added_at)
        .join(contacts, contacts.c.contact_id == users.c.id)
        .where(contacts.c.owner_id == owner_id)
    )


def _describe(row: Row[Any]) -> Contact:
    return Contact(row.name, row.alias, row.added_at)


def find_contact(conn: Connection, owner_id: str, who: str) -> Row[Any]:
    """The owner's contact whose user name, or else alias, is `who`."""
    rows = conn.execute(
        _select(owner_id).where(sa.or_(users.c.name == who, contacts.c.alias == who))
    ).all()
    if not rows:
        raise NotFound(f"no contact {who!r}")
    return next((r for r in rows if r.name == who), rows[0])


class Contacts:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def list(self, actor: Actor) -> list[Contact]:
        def query(conn: Connection) -> list[Contact]:
            rows = conn.execute(_select(actor.user_id).order_by(users.c.name)).all()
            return [_describe(r) for r in rows]

        return await self.ctx.db.read(query)

    async def add(self, actor: Actor, name: str, alias: str | None = None) -> Contact:
        alias = clean_alias(alias)
        if not isinstance(name, str) or name == actor.name:
            raise Invalid("add another user's name")

        def insert(conn: Connection) -> Contact:
            found = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
            if found is None:
                raise NotFound(f"no user {name!r}")
            conn.execute(
                contacts.insert().values(
                    owner_id=actor.user_id, contact_id=found, alias=alias, added_at=now()
                )
            )
            contact = _describe(find_contact(conn, actor.user_id, name))
            emit(conn, [actor.user_id], "contact.added", contact.event_data())
            return contact

        try:
            return await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            raise Conflict(f"{name!r} is already a contact, or the alias is taken") from exc

    async def rename(self, actor: Actor, who: str, alias: str | None) -> Contact:
        alias = clean_alias(alias)

        def change(conn: Connection) -> Contact:
            row = find_contact(conn, actor.user_id, who)
            conn.execute(
                contacts.update()
                .where(contacts.c.owner_id == actor.user_id, contacts.c.contact_id == row.id)
                .values(alias=alias)
            )
            new = _describe(find_contact(conn, actor.user_id, row.name))
            emit(conn, [actor.user_id], "contact.changed", new.event_data())
            return new

        try:
            return await self.ctx.db.write(change)
        except UniqueViolation as exc:
            raise Conflict(f"the alias {alias!r} is taken") from exc

    async def remove(self, actor: Actor, who: str) -> None:
        def delete(conn: Connection) -> None:
            row = find_contact(conn, actor.user_id, who)
            conn.execute(
                contacts.delete().where(
                    contacts.c.owner_id == actor.user_id, contacts.c.contact_id == row.id
                )
            )
            emit(conn, [actor.user_id], "contact.removed", {"name": row.name})

        await self.ctx.db.write(delete)
