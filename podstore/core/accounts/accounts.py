"""Accounts: signup, login with throttling, sessions, profile, password, recovery, deletion."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.engine import Connection

from podstore.core.access.revocations import sessions_revoked
from podstore.core.accounts import crypto
from podstore.core.context import Actor, CoreContext, new_id, now
from podstore.core.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthenticated
from podstore.core.names import validate_password, validate_user_name
from podstore.core.records import Login, Signup, UserInfo
from podstore.core.social.audit import audit
from podstore.meta.errors import UniqueViolation
from podstore.meta.prepared import Prepared, upsert_of
from podstore.meta.schema import sessions, throttle, users

PROFILE_FIELDS = ("display_name", "contact", "avatar")
MAX_DELAY = 900


_RECORD_FAILURE = Prepared(
    upsert_of(
        throttle,
        ["key"],
        lambda new: {"failures": throttle.c.failures + 1, "last_failure_at": new.last_failure_at},
    )
)
_SESSION = (
    sa.select(sessions, users.c.name, users.c.disabled)
    .join(users, users.c.id == sessions.c.user_id)
    .where(sessions.c.id == sa.bindparam("session_id"))
)


def _delay_for(failures: int, free: int) -> int:
    return 0 if failures < free else min(2 ** (failures - free), MAX_DELAY)


class SessionCache:
    """Actors of recently checked tokens, kept for a few seconds so that a burst of requests
    does not reopen the session each time. Logout and password changes drop entries on
    every node at once (`access/revocations.py`); `ttl` bounds it if that message is lost."""

    def __init__(self, ttl: float, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[bytes, tuple[float, Actor]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> Actor | None:
        if self.ttl <= 0:
            return None
        key = hashlib.sha256(token.encode()).digest()
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            return found[1]

    def put(self, token: str, actor: Actor) -> None:
        if self.ttl <= 0:
            return
        key = hashlib.sha256(token.encode()).digest()
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, actor)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def forget(self, user_id: str, keep_session: str | None = None) -> None:
        with self._lock:
            for key, (_, actor) in list(self._items.items()):
                if actor.user_id == user_id and actor.session_id != keep_session:
                    del self._items[key]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Accounts:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx
        self.sessions = SessionCache(ctx.settings.session_cache_seconds)
        s = ctx.settings
        self._hasher = PasswordHasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib)

    # -- keys -------------------------------------------------------------------------------

    def _kek(self, password: str, salt: bytes) -> bytes:
        s = self.ctx.settings
        return crypto.password_kek(
            password, salt, memory_kib=s.argon2_memory_kib, time_cost=s.argon2_time_cost
        )

    def _secret_fields(self, password: str, mnemonic: str) -> dict[str, Any]:
        salt = os.urandom(16)
        return {
            "password_hash": self._hasher.hash(password),
            "kek_salt": salt,
            "wrapped_secret": crypto.seal(
                self._kek(password, salt), mnemonic.encode(), b"mnemonic"
            ),
        }

    # -- signup, login, sessions -------------------------------------------------------------

    async def signup(self, name: str, password: str, mnemonic: str | None = None) -> Signup:
        name = validate_user_name(name)
        validate_password(password)
        phrase = crypto.normalise_mnemonic(mnemonic) if mnemonic else crypto.new_mnemonic()
        identity = await asyncio.to_thread(crypto.identity_from_mnemonic, phrase)
        fields = await asyncio.to_thread(self._secret_fields, password, phrase)
        row = {
            "id": new_id(),
            "name": name,
            "public_key": crypto.public_bytes(identity),
            "profile": {},
            "quota_bytes": self.ctx.settings.user_quota_bytes,
            "created_at": now(),
            **fields,
        }
        try:
            await self.ctx.db.write(lambda c: c.execute(users.insert().values(**row)))
        except UniqueViolation as exc:
            raise Conflict(f"the name {name!r} is taken") from exc
        return Signup(row["id"], name, None if mnemonic else phrase)

    def _free_attempts(self, key: str) -> int:
        s = self.ctx.settings
        # an address may hide many users (NAT, a proxy): it gets more attempts than an account
        return (
            s.login_failures_per_address
            if key.startswith("addr:")
            else s.login_failures_before_delay
        )

    def _check_throttle(self, conn: Connection, keys: list[str]) -> None:
        rows = conn.execute(sa.select(throttle).where(throttle.c.key.in_(keys))).all()
        for row in rows:
            wait = (
                row.last_failure_at + _delay_for(row.failures, self._free_attempts(row.key)) - now()
            )
            if wait > 0:
                raise TooManyRequests("too many failed attempts; try again later", int(wait) + 1)

    def _record_failure(self, conn: Connection, keys: list[str]) -> None:
        at = now()
        for key in keys:
            _RECORD_FAILURE.run(conn, {"key": key, "failures": 1, "last_failure_at": at})

    async def check_throttle(self, keys: list[str]) -> None:
        await self.ctx.db.read(lambda c: self._check_throttle(c, keys))

    async def record_failure(self, keys: list[str]) -> None:
        await self.ctx.db.write(lambda c: self._record_failure(c, keys))

    async def clear_failures(self, keys: list[str]) -> None:
        await self.ctx.db.write(
            lambda c: c.execute(throttle.delete().where(throttle.c.key.in_(keys)))
        )

    async def verify(
        self, name: str, password: str, client: str | None
    ) -> tuple[Any, X25519PrivateKey]:
        """The user row and identity key for a correct password; throttled and counted."""
        keys = [f"user:{name}"] + ([f"addr:{client}"] if client else [])
        await self.check_throttle(keys)
        row = await self.ctx.db.read(
            lambda c: c.execute(sa.select(users).where(users.c.name == name)).first()
        )
        try:
            if row is None or row.disabled:
                raise VerificationError()
            await asyncio.to_thread(self._hasher.verify, row.password_hash, password)
            kek = await asyncio.to_thread(self._kek, password, row.kek_salt)
            phrase = crypto.unseal(kek, row.wrapped_secret, b"mnemonic").decode()
        except (VerificationError, crypto.SealBroken, UnicodeError):
            await self.record_failure(keys)
            raise Unauthenticated("wrong name or password") from None
        await self.clear_failures(keys[:1])
        identity = await asyncio.to_thread(crypto.identity_from_mnemonic, phrase)
        return row, identity

    async def login(self, name: str, password: str, client: str | None = None) -> Login:
        if not isinstance(name, str) or not isinstance(password, str):
            raise Invalid("name and password must be strings")
        try:
            row, identity = await self.verify(name, password, client)
        except Unauthenticated:
            await self.ctx.db.write(lambda c: self._audit_failure(c, name, client))
            raise
        return await self._open_session(row.id, identity, client)

    @staticmethod
    def _audit_failure(conn: Connection, name: str, client: str | None) -> None:
        user_id = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
        if user_id is not None:
            audit(conn, user_id, "login.failed", {"name": name}, client)

    async def _open_session(
        self, user_id: str, identity: X25519PrivateKey, client: str | None
    ) -> Login:
        session_id = secrets.token_hex(16)
        secret = os.urandom(32)
        expires = now() + self.ctx.settings.token_ttl_seconds
        wrapped = crypto.seal(
            crypto.hkdf(secret, b"podstore session"),
            crypto.private_bytes(identity),
            session_id.encode(),
        )

        def insert(conn: Connection) -> None:
            conn.execute(
                sessions.insert().values(
                    id=session_id,
                    user_id=user_id,
                    secret_hash=crypto.token_hash(secret),
                    wrapped_key=wrapped,
                    created_at=now(),
                    expires_at=expires,
                    client=(client or "")[:255],
                )
            )
            conn.execute(users.update().where(users.c.id == user_id).values(last_login_at=now()))
            audit(conn, user_id, "login", {"session": session_id[:8]}, client)

        await self.ctx.db.write(insert)
        token = session_id + "." + base64.urlsafe_b64encode(secret).decode().rstrip("=")
        return Login(token, expires, user_id)

    async def authenticate(self, token: str) -> Actor:
        session_id, _, encoded = token.partition(".")
        try:
            secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise Unauthenticated("the token is malformed") from None
        if len(session_id) != 32 or len(secret) != 32:
            raise Unauthenticated("the token is malformed")
        cached = self.sessions.get(token)
        if cached is not None:
            return cached
        row = await self.ctx.db.read(
            lambda c: c.execute(_SESSION, {"session_id": session_id}).first()
        )
        if row is None or not hmac.compare_digest(row.secret_hash, crypto.token_hash(secret)):
            raise Unauthenticated("the token is not valid")
        if row.expires_at < now() or row.disabled:
            raise Unauthenticated("the session has expired")
        try:
            raw = crypto.unseal(
                crypto.hkdf(secret, b"podstore session"), row.wrapped_key, session_id.encode()
            )
        except crypto.SealBroken:
            raise Unauthenticated("the token is not valid") from None
        actor = Actor(row.user_id, row.name, X25519PrivateKey.from_private_bytes(raw), session_id)
        if row.expires_at - now() > self.sessions.ttl:
            self.sessions.put(token, actor)
        return actor

    async def logout(self, actor: Actor) -> None:
        if actor.session_id:
            self.sessions.forget(actor.user_id)
            sid = actor.session_id

            def drop(conn: Connection) -> None:
                conn.execute(sessions.delete().where(sessions.c.id == sid))
                sessions_revoked(conn, actor.user_id)

            await self.ctx.db.write(drop)

    # -- profile and account -----------------------------------------------------------------

    async def me(self, actor: Actor) -> UserInfo:
        row = await self.ctx.db.read(
            lambda c: c.execute(sa.select(users).where(users.c.id == actor.user_id)).first()
        )
        if row is None:
            raise NotFound("no such user")
        return UserInfo(
            id=row.id,
            name=row.name,
            profile=dict(row.profile or {}),
            public_key=bytes(row.public_key),
            quota_bytes=row.quota_bytes,
            created_at=row.created_at,
            last_login_at=row.last_login_at,
        )

    async def update_profile(self, actor: Actor, changes: dict[str, Any]) -> UserInfo:
        unknown = set(changes) - set(PROFILE_FIELDS)
        if unknown:
            raise Invalid(f"unknown profile fields: {', '.join(sorted(unknown))}")
        for key, value in changes.items():
            if value is not None and (not isinstance(value, str) or len(value) > 64 * 1024):
                raise Invalid(f"{key} must be a string of at most 64 KiB")

        def update(conn: Connection) -> None:
            row = conn.execute(sa.select(users.c.profile).where(users.c.id == actor.user_id)).one()
            profile = {**(row.profile or {}), **changes}
            profile = {k: v for k, v in profile.items() if v is not None}
            conn.execute(users.update().where(users.c.id == actor.user_id).values(profile=profile))

        await self.ctx.db.write(update)
        return await self.me(actor)

    async def change_password(self, actor: Actor, old: str, new: str) -> None:
        validate_password(new)
        row, _ = await self.verify(actor.name, old, None)
        phrase_row = await self._rewrap_for(row, old, new)
        await self.ctx.db.write(
            lambda c: self._set_secret(c, actor.user_id, phrase_row, keep=actor.session_id)
        )
        self.sessions.forget(actor.user_id, keep_session=actor.session_id)

    async def _rewrap_for(self, row: Any, old: str, new: str) -> dict[str, Any]:
        kek = await asyncio.to_thread(self._kek, old, row.kek_salt)
        phrase = crypto.unseal(kek, row.wrapped_secret, b"mnemonic").decode()
        return await asyncio.to_thread(self._secret_fields, new, phrase)

    @staticmethod
    def _set_secret(
        conn: Connection, user_id: str, fields: dict[str, Any], keep: str | None
    ) -> None:
        conn.execute(users.update().where(users.c.id == user_id).values(**fields))
        audit(conn, user_id, "password.changed", {"kept_session": bool(keep)})
        doomed = sessions.delete().where(sessions.c.user_id == user_id)
        if keep:
            doomed = doomed.where(sessions.c.id != keep)
        conn.execute(doomed)
        sessions_revoked(conn, user_id, keep)

    async def recover(self, name: str, mnemonic: str, new_password: str) -> None:
        """Set a new password for whoever proves the account's mnemonic."""
        validate_password(new_password)
        phrase = crypto.normalise_mnemonic(mnemonic)
        keys = [f"recover:{name}"]
        await self.check_throttle(keys)
        identity = await asyncio.to_thread(crypto.identity_from_mnemonic, phrase)
        row = await self.ctx.db.read(
            lambda c: c.execute(sa.select(users).where(users.c.name == name)).first()
        )
        if row is None or not hmac.compare_digest(row.public_key, crypto.public_bytes(identity)):
            await self.record_failure(keys)
            raise Unauthenticated("the mnemonic does not belong to this account")
        fields = await asyncio.to_thread(self._secret_fields, new_password, phrase)
        await self.ctx.db.write(lambda c: self._set_secret(c, row.id, fields, keep=None))
        self.sessions.forget(row.id)

    async def delete(self, actor: Actor, password: str, remove_pods: Any) -> None:
        """Delete the account and everything it owns; `remove_pods` frees the pods' data."""
        await self.verify(actor.name, password, None)
        await remove_pods(actor)

        def drop(conn: Connection) -> None:
            conn.execute(users.delete().where(users.c.id == actor.user_id))
            audit(conn, actor.user_id, "account.deleted", {"name": actor.name})
            sessions_revoked(conn, actor.user_id)

        await self.ctx.db.write(drop)
        self.sessions.forget(actor.user_id)
