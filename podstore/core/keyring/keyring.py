"""Named RSA key pairs of a user, each opening one pod: creating a key makes its pod, sharing
a key makes the other user an editor of that pod and gives them the key (its private half
wrapped for their identity key), erasing it forgets the key (and the pod, for its creator).

The key is the way to the pod, not a second permission: every file operation still goes
through `authorize` on the pod, so a key never opens more than the membership it came with.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import user_by_name
from podstore.core.accounts import crypto
from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.pods.pods import Pods
from podstore.core.records import KeyInfo
from podstore.core.sharing.grants import Sharing
from podstore.meta.errors import UniqueViolation
from podstore.meta.keyring_schema import rsa_keys
from podstore.meta.schema import users

SIZES = (1024, 2048, 4096)
ALIAS = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
MAX_KEYS = 1000


def _new_key(size: int) -> tuple[str, bytes]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=size)
    public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return public.decode(), pem


def _context(alias: str, creator_id: str) -> bytes:
    return f"rsa key {creator_id} {alias}".encode()


def _describe(row: Row[Any], private: bytes | None = None) -> KeyInfo:
    return KeyInfo(
        alias=row.alias,
        creator=row.creator,
        size=row.size,
        label=row.label,
        active=row.active,
        public_key=row.public_key,
        pod_id=row.pod_id,
        created_at=row.created_at,
        mine=row.user_id == row.creator_id,
        private_pem=private.decode() if private is not None else None,
    )


def _select() -> sa.Select[Any]:
    return sa.select(rsa_keys, users.c.name.label("creator")).join(
        users, users.c.id == rsa_keys.c.creator_id
    )


def _row(conn: Connection, actor: Actor, alias: str) -> Row[Any]:
    row = conn.execute(
        _select().where(rsa_keys.c.user_id == actor.user_id, rsa_keys.c.alias == alias)
    ).first()
    if row is None:
        raise NotFound(f"no key {alias!r}")
    return row


class Keyring:
    def __init__(self, ctx: CoreContext, pods: Pods, sharing: Sharing) -> None:
        self.ctx, self.pods, self.sharing = ctx, pods, sharing

    async def create(
        self,
        actor: Actor,
        alias: str,
        size: int = 2048,
        label: str = "",
        versions_kept: int | None = None,
    ) -> KeyInfo:
        """A new key and the pod it opens (named as the key)."""
        if not isinstance(alias, str) or not ALIAS.match(alias):
            raise Invalid("a key alias is 2 to 64 characters: a-z, 0-9, '.', '_', '-'")
        if size not in SIZES:
            raise Invalid(f"a key size is one of {', '.join(map(str, SIZES))}")
        if len(label) > 255:
            raise Invalid("a key label has at most 255 characters")

        def count(conn: Connection) -> int:
            mine = sa.select(sa.func.count()).where(rsa_keys.c.user_id == actor.user_id)
            taken = conn.execute(
                sa.select(rsa_keys.c.alias).where(
                    rsa_keys.c.user_id == actor.user_id, rsa_keys.c.alias == alias
                )
            ).first()
            if taken is not None:
                raise Conflict(f"key {alias!r} exists already")
            return int(conn.execute(mine).scalar_one())

        if await self.ctx.db.read(count) >= MAX_KEYS:
            raise Conflict(f"a user may have at most {MAX_KEYS} keys")
        public, pem = await asyncio.to_thread(_new_key, size)
        pod = await self.pods.create(actor, alias, versions_kept=versions_kept)

        def insert(conn: Connection) -> KeyInfo:
            mine = conn.execute(
                sa.select(users.c.public_key).where(users.c.id == actor.user_id)
            ).scalar_one()
            conn.execute(
                rsa_keys.insert().values(
                    user_id=actor.user_id,
                    alias=alias,
                    creator_id=actor.user_id,
                    pod_id=pod.id,
                    size=size,
                    label=label,
                    active=True,
                    public_key=public,
                    wrapped_private=crypto.wrap_for(
                        bytes(mine), pem, _context(alias, actor.user_id)
                    ),
                    created_at=now(),
                )
            )
            return _describe(_row(conn, actor, alias))

        try:
            return await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            await self.pods.delete(actor, pod.id)
            raise Conflict(f"key {alias!r} exists already") from exc

    async def list(self, actor: Actor) -> list[KeyInfo]:
        def query(conn: Connection) -> list[KeyInfo]:
            rows = conn.execute(
                _select().where(rsa_keys.c.user_id == actor.user_id).order_by(rsa_keys.c.alias)
            ).all()
            return [_describe(r) for r in rows]

        return await self.ctx.db.read(query)

    async def get(self, actor: Actor, alias: str, include_private: bool = False) -> KeyInfo:
        row = await self.ctx.db.read(lambda c: _row(c, actor, alias))
        if not include_private:
            return _describe(row)
        if actor.private_key is None:
            raise Invalid("the private key needs a signed-in session")
        pem = crypto.unwrap_with(
            actor.private_key, row.wrapped_private, _context(row.alias, row.creator_id)
        )
        return _describe(row, pem)

    async def update(
        self, actor: Actor, alias: str, *, label: str | None = None, active: bool | None = None
    ) -> KeyInfo:
        changes: dict[str, Any] = {}
        if label is not None:
            if len(label) > 255:
                raise Invalid("a key label has at most 255 characters")
            changes["label"] = label
        if active is not None:
            changes["active"] = bool(active)

        def change(conn: Connection) -> KeyInfo:
            _row(conn, actor, alias)
            if changes:
                conn.execute(
                    rsa_keys.update()
                    .where(rsa_keys.c.user_id == actor.user_id, rsa_keys.c.alias == alias)
                    .values(**changes)
                )
            return _describe(_row(conn, actor, alias))

        return await self.ctx.db.write(change)

    async def erase(self, actor: Actor, alias: str) -> None:
        """Forget the key; its creator's pod goes with it, a grantee leaves the pod."""
        row = await self.ctx.db.read(lambda c: _row(c, actor, alias))
        if row.creator_id == actor.user_id:
            await self.pods.delete(actor, row.pod_id)  # the key row goes by cascade
            return
        await self.sharing.remove_member(actor, row.pod_id, user=actor.name)
        await self.ctx.db.write(
            lambda c: c.execute(
                rsa_keys.delete().where(
                    rsa_keys.c.user_id == actor.user_id, rsa_keys.c.alias == alias
                )
            )
        )

    async def share(self, actor: Actor, alias: str, user: str) -> KeyInfo:
        """Give `user` the key and what it opens (editor of its pod). Only its creator may."""
        mine = await self.get(actor, alias, include_private=True)
        if not mine.mine:
            raise Invalid("only the creator of a key may share it")
        assert mine.private_pem is not None
        pem = mine.private_pem.encode()
        row = await self.ctx.db.read(lambda c: _row(c, actor, alias))
        await self.sharing.add_member(actor, mine.pod_id, user=user, role="editor")

        def insert(conn: Connection) -> None:
            recipient = user_by_name(conn, user)
            conn.execute(
                rsa_keys.insert().values(
                    user_id=recipient.id,
                    alias=alias,
                    creator_id=actor.user_id,
                    pod_id=mine.pod_id,
                    size=row.size,
                    label=row.label,
                    active=True,
                    public_key=row.public_key,
                    wrapped_private=crypto.wrap_for(
                        bytes(recipient.public_key), pem, _context(alias, actor.user_id)
                    ),
                    created_at=now(),
                )
            )

        try:
            await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            raise Conflict(f"{user} holds a key named {alias!r} already") from exc
        return mine
