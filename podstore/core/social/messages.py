"""Messages: direct ones between two users and group ones to every member of a group.

History is newest first, paged with offset and limit (BitDust's message/history). Each
recipient gets a `message.received` event carrying the message, so a client following its
event stream needs no second request. A user is named by their user name, or by an alias in
the sender's contacts.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Invalid, NotFound
from podstore.core.records import Conversation, Message, OffsetPage
from podstore.core.social.events import emit
from podstore.meta.schema import users
from podstore.meta.social_schema import contacts, messages

MAX_TEXT = 64 * 1024  # bytes of UTF-8
MAX_PAGE = 1000
sender = users.alias("sender")
recipient = users.alias("recipient")


def _check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise Invalid("a message needs some text")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT:
        raise Invalid(f"a message is at most {MAX_TEXT // 1024} KiB")
    return text


def _page(offset: int, limit: int) -> tuple[int, int]:
    return max(0, offset), min(max(1, limit), MAX_PAGE)


def resolve_user(conn: Connection, actor: Actor, who: str) -> tuple[str, str]:
    """(id, name) of the user named `who`, or else of the actor's contact aliased `who`."""
    row = conn.execute(sa.select(users.c.id, users.c.name).where(users.c.name == who)).first()
    if row is None:
        row = conn.execute(
            sa.select(users.c.id, users.c.name)
            .join(contacts, contacts.c.contact_id == users.c.id)
            .where(contacts.c.owner_id == actor.user_id, contacts.c.alias == who)
        ).first()
    if row is None:
        raise NotFound(f"no user {who!r}")
    return row.id, row.name


def resolve_group(conn: Connection, actor: Actor, group: str) -> tuple[str, str, list[str]]:
    """(id, name, member ids) of a group the actor belongs to, by id or name."""
    # TODO(sharing): `podstore.core.sharing.groups` (the lead's) provides `membership` and
    # `group_member_ids(conn, group_id)`; until it is committed, group messages answer 400.
    try:
        from podstore.core.sharing.groups import group_member_ids, membership
    except ImportError:  # pragma: no cover - only before groups land
        raise Invalid("group messages are not available yet") from None
    row = membership(conn, actor, group)  # NotFound unless the actor is a member
    return row.id, row.name, group_member_ids(conn, row.id)


def _select() -> sa.Select[Any]:
    return (
        sa.select(
            messages, sender.c.name.label("sender_name"), recipient.c.name.label("recipient_name")
        )
        .join(sender, sender.c.id == messages.c.sender_id)
        .outerjoin(recipient, recipient.c.id == messages.c.recipient_id)
    )


def _describe(row: Any, group_name: str | None = None) -> Message:
    if row.group_id:
        return Message(
            row.id,
            row.sender_name,
            row.text,
            row.sent_at,
            group_id=row.group_id,
            group_name=group_name,
        )
    return Message(row.id, row.sender_name, row.text, row.sent_at, to=row.recipient_name)


class Messages:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    async def send(
        self, actor: Actor, text: str, *, to: str | None = None, group: str | None = None
    ) -> Message:
        text = _check_text(text)
        if (to is None) == (group is None):
            raise Invalid("send to one user or to one group")

        def insert(conn: Connection) -> Message:
            values: dict[str, Any] = {"sender_id": actor.user_id, "text": text, "sent_at": now()}
            group_name = None
            if to is not None:
                user_id, _ = resolve_user(conn, actor, to)
                if user_id == actor.user_id:
                    raise Invalid("send messages to other users")
                values["recipient_id"], audience = user_id, [user_id]
            else:
                assert group is not None
                values["group_id"], group_name, members = resolve_group(conn, actor, group)
                audience = [m for m in members if m != actor.user_id]
            new_id = conn.execute(
                messages.insert().values(**values).returning(messages.c.id)
            ).scalar_one()
            row = conn.execute(_select().where(messages.c.id == new_id)).one()
            message = _describe(row, group_name)
            emit(conn, audience, "message.received", message.event_data())
            return message

        return await self.ctx.db.write(insert)

    async def history(
        self,
        actor: Actor,
        *,
        with_user: str | None = None,
        group: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> OffsetPage[Message]:
        """One conversation, newest first: with a user, or in a group the actor is in."""
        if (with_user is None) == (group is None):
            raise Invalid("name one user (with) or one group")
        offset, limit = _page(offset, limit)

        def query(conn: Connection) -> OffsetPage[Message]:
            group_name = None
            if with_user is not None:
                other, _ = resolve_user(conn, actor, with_user)
                me = actor.user_id
                where = sa.or_(
                    sa.and_(messages.c.sender_id == me, messages.c.recipient_id == other),
                    sa.and_(messages.c.sender_id == other, messages.c.recipient_id == me),
                )
            else:
                assert group is not None
                group_id, group_name, _ = resolve_group(conn, actor, group)
                where = messages.c.group_id == group_id
            rows = conn.execute(
                _select().where(where).order_by(messages.c.id.desc()).offset(offset).limit(limit)
            ).all()
            total = conn.execute(
                sa.select(sa.func.count()).select_from(messages).where(where)
            ).scalar_one()
            return OffsetPage([_describe(r, group_name) for r in rows], offset, limit, total)

        return await self.ctx.db.read(query)

    async def conversations(self, actor: Actor, limit: int = 100) -> list[Conversation]:
        """The users the actor has direct messages with, the latest conversation first."""
        limit = _page(0, limit)[1]

        def query(conn: Connection) -> list[Conversation]:
            me = actor.user_id
            peer = sa.case(
                (messages.c.sender_id == me, messages.c.recipient_id), else_=messages.c.sender_id
            ).label("peer")
            latest = (
                sa.select(peer, sa.func.max(messages.c.id).label("last_id"))
                .where(
                    messages.c.group_id.is_(None),
                    sa.or_(messages.c.sender_id == me, messages.c.recipient_id == me),
                )
                .group_by(peer)
                .subquery()
            )
            rows = conn.execute(
                _select()
                .join(latest, latest.c.last_id == messages.c.id)
                .order_by(messages.c.id.desc())
                .limit(limit)
            ).all()
            return [
                Conversation(r.recipient_name if r.sender_id == me else r.sender_name, _describe(r))
                for r in rows
            ]

        return await self.ctx.db.read(query)
