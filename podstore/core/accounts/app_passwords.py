"""App passwords and HTTP Basic sign-in.

An app password is a random secret made for one device (a desktop WebDAV client keeps it
instead of the account password). Like a session, it carries the user's identity key
sealed under a key derived from the secret, so a request signed with it can open the
user's pods; the server stores only the secret's hash. It is accepted only as a Basic
password: `/login`, password changes and account deletion check the account password, which
an app password is not. Revoking one deletes it and tells every node to drop the actors
it cached (`sessions_revoked`), so it is refused at once everywhere.

    ps-<16 hex id>-<43 url-safe base64 characters of secret>
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import os
import secrets
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.engine import Connection

from podstore.core.access.revocations import sessions_revoked
from podstore.core.accounts import crypto
from podstore.core.accounts.accounts import Accounts
from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Invalid, NotFound, Unauthenticated
from podstore.core.records import AppPassword, NewAppPassword
from podstore.core.social.audit import audit
from podstore.meta.schema import users
from podstore.meta.webdav_schema import app_passwords

PREFIX = "ps-"
MAX_PER_USER = 100
MAX_LABEL = 255
LAST_USED_STEP = 60.0  # last_used_at is written at most this often per password
_INFO = b"podstore app password"
_FIND = (
    sa.select(app_passwords, users.c.name, users.c.disabled)
    .join(users, users.c.id == app_passwords.c.user_id)
    .where(app_passwords.c.id == sa.bindparam("id"))
)


def _parse(password: str) -> tuple[str, bytes] | None:
    """(id, secret) of a string shaped like an app password, else None."""
    if not password.startswith(PREFIX) or len(password) != len(PREFIX) + 16 + 1 + 43:
        return None
    ident, dash, encoded = password[3:19], password[19], password[20:]
    if dash != "-" or any(c not in "0123456789abcdef" for c in ident):
        return None
    try:
        secret = base64.urlsafe_b64decode(encoded + "=")
    except (binascii.Error, ValueError):
        return None
    return (ident, secret) if len(secret) == 32 else None


def _record(row: Any) -> AppPassword:
    return AppPassword(row.id, row.label, row.created_at, row.last_used_at)


class AppPasswords:
    def __init__(self, ctx: CoreContext, accounts: Accounts) -> None:
        self.ctx = ctx
        self.accounts = accounts
        self._checking: dict[bytes, asyncio.Future[Actor]] = {}

    async def list(self, actor: Actor) -> list[AppPassword]:
        rows = await self.ctx.db.read(
            lambda c: c.execute(
                sa.select(app_passwords)
                .where(app_passwords.c.user_id == actor.user_id)
                .order_by(app_passwords.c.created_at, app_passwords.c.id)
            ).all()
        )
        return [_record(r) for r in rows]

    async def create(self, actor: Actor, label: str) -> NewAppPassword:
        if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL:
            raise Invalid(f"label is a non-empty string of at most {MAX_LABEL} characters")
        if actor.private_key is None:
            raise Unauthenticated("sign in as the account's user to make an app password")
        ident, secret = secrets.token_hex(8), os.urandom(32)
        label, created = label.strip(), now()
        row: dict[str, Any] = {
            "id": ident,
            "user_id": actor.user_id,
            "label": label,
            "secret_hash": crypto.token_hash(secret),
            "wrapped_key": crypto.seal(
                crypto.hkdf(secret, _INFO), crypto.private_bytes(actor.private_key), ident.encode()
            ),
            "created_at": created,
            "last_used_at": None,
        }

        def insert(conn: Connection) -> None:
            count = conn.execute(
                sa.select(sa.func.count()).where(app_passwords.c.user_id == actor.user_id)
            ).scalar_one()
            if count >= MAX_PER_USER:
                raise Invalid(f"an account may have at most {MAX_PER_USER} app passwords")
            conn.execute(app_passwords.insert().values(**row))
            audit(conn, actor.user_id, "app_password.created", {"id": ident, "label": label})

        await self.ctx.db.write(insert)
        encoded = base64.urlsafe_b64encode(secret).decode().rstrip("=")
        password = f"{PREFIX}{ident}-{encoded}"
        return NewAppPassword(ident, label, created, None, password)

    async def revoke(self, actor: Actor, ident: str) -> None:
        def drop(conn: Connection) -> None:
            gone = conn.execute(
                app_passwords.delete().where(
                    app_passwords.c.id == ident, app_passwords.c.user_id == actor.user_id
                )
            ).rowcount
            if not gone:
                raise NotFound("no such app password")
            audit(conn, actor.user_id, "app_password.revoked", {"id": ident})
            sessions_revoked(conn, actor.user_id, actor.session_id)

        await self.ctx.db.write(drop)
        self.accounts.sessions.forget(actor.user_id, keep_session=actor.session_id)

    # -- HTTP Basic --------------------------------------------------------------------------

    async def basic(self, name: str, password: str, client: str | None) -> Actor:
        """The actor for a Basic name and password: an app password of that user, or the
        account password. Failures are throttled and counted as `/login`'s are. Actors are
        cached as sessions are; concurrent requests with the same credentials share one
        check (a client's burst costs one Argon2 verification, not one per connection)."""
        cache_key = f"basic\0{name}\0{password}"
        cached = self.accounts.sessions.get(cache_key)
        if cached is not None:
            return cached
        flight = hashlib.sha256(cache_key.encode()).digest()
        pending = self._checking.get(flight)
        if pending is None:
            pending = asyncio.ensure_future(self._check_basic(name, password, client, cache_key))
            self._checking[flight] = pending
            pending.add_done_callback(lambda _: self._checking.pop(flight, None))
        return await asyncio.shield(pending)

    async def _check_basic(
        self, name: str, password: str, client: str | None, cache_key: str
    ) -> Actor:
        parsed = _parse(password)
        actor = await self._by_app_password(name, *parsed, client) if parsed else None
        if actor is None:
            row, identity, _ = await self.accounts.verify(name, password, client)
            actor = Actor(row.id, row.name, identity)
        self.accounts.sessions.put(cache_key, actor)
        return actor

    async def _by_app_password(
        self, name: str, ident: str, secret: bytes, client: str | None
    ) -> Actor | None:
        row = await self.ctx.db.read(lambda c: c.execute(_FIND, {"id": ident}).first())
        if row is None:
            return None  # not one of ours: perhaps an account password of that shape
        keys = [f"user:{name}"] + ([f"addr:{client}"] if client else [])
        await self.accounts.check_throttle(keys)
        good = (
            row.name == name
            and not row.disabled
            and hmac.compare_digest(row.secret_hash, crypto.token_hash(secret))
        )
        raw = b""
        if good:
            try:
                raw = crypto.unseal(crypto.hkdf(secret, _INFO), row.wrapped_key, ident.encode())
            except crypto.SealBroken:
                good = False
        if not good:
            await self.accounts.record_failure(keys)
            raise Unauthenticated("wrong name or password")
        if row.last_used_at is None or row.last_used_at < now() - LAST_USED_STEP:
            await self.ctx.db.write(
                lambda c: c.execute(
                    app_passwords.update()
                    .where(app_passwords.c.id == ident)
                    .values(last_used_at=now())
                )
            )
        return Actor(row.user_id, row.name, X25519PrivateKey.from_private_bytes(raw))
