"""Named RSA key pairs of a user, each opening one pod: creating a key makes its pod, sharing
a key makes the other user an editor of that pod and gives them the key (its private half
wrapped for their identity key), erasing it forgets the key (and the pod, for its creator).

A key may open one folder of a pod its creator manages instead (`location`): sharing it grants
the other user that folder at the `delete` level (all a holder of BitDust's private key can
do), erasing it ends those grants; the folder stays.

Each change is an event of the holder's stream (`key.created`, `key.changed`, `key.erased`,
`key.received` for a grantee), so the holder's clients hear of keys made elsewhere.

The key is the way to the pod, not a second permission: every file operation still goes
through `authorize` on the pod, so a key never opens more than the membership it came with.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import Level, authorize, locate, user_by_name
from podstore.core.accounts import crypto
from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.keyring.reservations import Reservations
from podstore.core.names import split_path
from podstore.core.pods.pods import Pods
from podstore.core.records import KeyInfo
from podstore.core.sharing.grants import Sharing
from podstore.core.social.events import emit
from podstore.core.tree.nodes import resolve
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


def _reach(conn: Connection, actor: Actor, row: Row[Any]) -> tuple[str, str]:
    """(scope, root) through which the holder reaches what the key opens; ("", "") when the
    opened folder is gone or no longer reachable."""
    if row.node_id is None:
        return row.pod_id, ""
    try:
        return locate(conn, actor, row.node_id)
    except NotFound:
        return "", ""


def _describe(
    conn: Connection, actor: Actor, row: Row[Any], private: bytes | None = None
) -> KeyInfo:
    scope, root = _reach(conn, actor, row)
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
        folder=row.node_id is not None,
        scope=scope,
        root=root,
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
        self.reservations = Reservations(ctx)

    async def create(
        self,
        actor: Actor,
        alias: str,
        size: int = 2048,
        label: str = "",
        versions_kept: int | None = None,
        location: tuple[str, str] | None = None,
    ) -> KeyInfo:
        """A new key and the pod it opens (named as the key), or a key that opens the folder
        `location` (scope, path) of a pod the actor manages."""
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
        folder = await self._folder(actor, location) if location is not None else None
        public, pem = await asyncio.to_thread(_new_key, size)
        if folder is not None:
            pod_id, node_id = folder
        else:
            pod_id = (await self.pods.create(actor, alias, versions_kept=versions_kept)).id
            node_id = None

        def insert(conn: Connection) -> KeyInfo:
            mine = conn.execute(
                sa.select(users.c.public_key).where(users.c.id == actor.user_id)
            ).scalar_one()
            conn.execute(
                rsa_keys.insert().values(
                    user_id=actor.user_id,
                    alias=alias,
                    creator_id=actor.user_id,
                    pod_id=pod_id,
                    node_id=node_id,
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
            emit(conn, [actor.user_id], "key.created", {"alias": alias})
            return _describe(conn, actor, _row(conn, actor, alias))

        try:
            return await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            if node_id is None:
                await self.pods.delete(actor, pod_id)
            raise Conflict(f"key {alias!r} exists already") from exc

    async def _folder(self, actor: Actor, location: tuple[str, str]) -> tuple[str, str]:
        """(pod id, node id) of a folder the actor may share: the root of a pod is the pod."""
        scope, path = location
        parts = split_path(path)

        def find(conn: Connection) -> tuple[str, str]:
            access = authorize(conn, actor, scope, Level.MANAGE)
            node = resolve(conn, access, parts)
            if node.kind != "dir":
                raise Invalid("a key opens a folder, not a file")
            return access.pod_id, node.id

        return await self.ctx.db.read(find)

    async def list(self, actor: Actor) -> list[KeyInfo]:
        def query(conn: Connection) -> list[KeyInfo]:
            rows = conn.execute(
                _select().where(rsa_keys.c.user_id == actor.user_id).order_by(rsa_keys.c.alias)
            ).all()
            return [_describe(conn, actor, r) for r in rows]

        return await self.ctx.db.read(query)

    async def get(self, actor: Actor, alias: str, include_private: bool = False) -> KeyInfo:
        if include_private and actor.private_key is None:
            raise Invalid("the private key needs a signed-in session")
        private_key = actor.private_key

        def query(conn: Connection) -> KeyInfo:
            row = _row(conn, actor, alias)
            if not include_private or private_key is None:
                return _describe(conn, actor, row)
            pem = crypto.unwrap_with(
                private_key, row.wrapped_private, _context(row.alias, row.creator_id)
            )
            return _describe(conn, actor, row, pem)

        return await self.ctx.db.read(query)

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
                emit(conn, [actor.user_id], "key.changed", {"alias": alias, **changes})
            return _describe(conn, actor, _row(conn, actor, alias))

        return await self.ctx.db.write(change)

    async def erase(self, actor: Actor, alias: str) -> None:
        """Forget the key; its creator's pod goes with it, a grantee leaves the pod. For a key
        of a folder the grants it gave end (its creator) or its own grant does (a grantee)."""
        row = await self.ctx.db.read(lambda c: _row(c, actor, alias))
        mine = row.creator_id == actor.user_id
        if mine and row.node_id is None:
            await self.pods.delete(actor, row.pod_id)  # the key row goes by cascade
            await self.ctx.db.write(
                lambda c: emit(
                    c, [actor.user_id], "key.erased", {"alias": alias, "creator": row.creator}
                )
            )
            return
        if mine:
            given = await self.ctx.db.read(lambda c: _grants_of(c, row))
        elif row.node_id is not None:
            given = [row.grant_id] if row.grant_id else []
        else:
            given = []
            await self.sharing.remove_member(actor, row.pod_id, user=actor.name)
        for grant_id in given:
            with contextlib.suppress(NotFound):  # ended meanwhile
                await self.sharing.revoke(actor, grant_id)

        def forget(conn: Connection) -> None:
            holders = [rsa_keys.c.user_id == actor.user_id]
            if mine:  # the copies given away go with the creator's
                holders.append(rsa_keys.c.creator_id == actor.user_id)
            conn.execute(rsa_keys.delete().where(sa.or_(*holders), rsa_keys.c.alias == alias))
            emit(conn, [actor.user_id], "key.erased", {"alias": alias, "creator": row.creator})

        await self.ctx.db.write(forget)

    async def share(self, actor: Actor, alias: str, user: str) -> KeyInfo:
        """Give `user` the key and what it opens: editor of its pod, or a `delete` grant on
        its folder. Only its creator may."""
        mine = await self.get(actor, alias, include_private=True)
        if not mine.mine:
            raise Invalid("only the creator of a key may share it")
        assert mine.private_pem is not None
        pem = mine.private_pem.encode()

        def check(conn: Connection) -> Row[Any]:
            recipient = user_by_name(conn, user)
            held = conn.execute(
                sa.select(rsa_keys.c.alias).where(
                    rsa_keys.c.user_id == recipient.id, rsa_keys.c.alias == alias
                )
            ).first()
            if held is not None:
                raise Conflict(f"{user} holds a key named {alias!r} already")
            return _row(conn, actor, alias)

        row = await self.ctx.db.read(check)
        grant_id = None
        if row.node_id is None:
            await self.sharing.add_member(actor, mine.pod_id, user=user, role="editor")
        elif not mine.scope:
            raise NotFound(f"the folder of key {alias!r} is gone")
        else:
            grant = await self.sharing.share(
                actor, mine.scope, mine.root, user=user, level="delete"
            )
            grant_id = grant.id

        def insert(conn: Connection) -> None:
            recipient = user_by_name(conn, user)
            conn.execute(
                rsa_keys.insert().values(
                    user_id=recipient.id,
                    alias=alias,
                    creator_id=actor.user_id,
                    pod_id=mine.pod_id,
                    node_id=row.node_id,
                    grant_id=grant_id,
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
            emit(conn, [recipient.id], "key.received", {"alias": alias, "creator": actor.name})

        try:
            await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            raise Conflict(f"{user} holds a key named {alias!r} already") from exc
        return mine


def _grants_of(conn: Connection, row: Row[Any]) -> list[str]:
    """The grants a folder key's creator gave with it."""
    found = conn.execute(
        sa.select(rsa_keys.c.grant_id).where(
            rsa_keys.c.creator_id == row.creator_id,
            rsa_keys.c.alias == row.alias,
            rsa_keys.c.grant_id.is_not(None),
        )
    ).scalars()
    return [g for g in found if g]
