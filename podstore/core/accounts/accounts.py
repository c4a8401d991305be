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
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.engine import Connection

from podstore.core.access.revocations import sessions_revoked
from podstore.core.accounts import crypto
from podstore.core.accounts.ethereum import address_from_mnemonic, checksummed
from podstore.core.context import Actor, CoreContext, new_id, now
from podstore.core.errors import (
    Conflict,
    Expired,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from podstore.core.names import validate_email, validate_password, validate_user_name
from podstore.core.records import Login, SessionInfo, Signup, UserInfo
from podstore.core.social.audit import audit
from podstore.meta.errors import UniqueViolation
from podstore.meta.prepared import Prepared, upsert_of
from podstore.meta.schema import sessions, throttle, users
from podstore.meta.session_schema import account_addresses

# display_name, contact and avatar (a URL or a data: URI) as people show them; the name's
# parts, phones and postal address (lines joined by newlines) for clients that keep them apart
PROFILE_FIELDS = (
    "display_name",
    "contact",
    "avatar",
    "first_name",
    "middle_name",
    "last_name",
    "surname",
    "phone",
    "mobile",
    "address",
)
MAX_DELAY = 900
LOGIN = "login"
UPLOAD = "upload:"  # + a node id: a key for one upload to that node (`redeem_upload_key`)
KEY_PURPOSES = ("download",)  # keys a session may issue, besides upload keys


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


def _parse_token(token: str) -> tuple[str, bytes]:
    session_id, _, encoded = token.partition(".")
    try:
        secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise Unauthenticated("the token is malformed") from None
    if len(session_id) != 32 or len(secret) != 32:
        raise Unauthenticated("the token is malformed")
    return session_id, secret


def _open_row(row: Any, session_id: str, secret: bytes) -> Actor:
    """The actor of a session row, for the holder of its secret."""
    if not hmac.compare_digest(row.secret_hash, crypto.token_hash(secret)):
        raise Unauthenticated("the token is not valid")
    if row.expires_at < now() or row.disabled:
        raise Unauthenticated("the session has expired")
    try:
        raw = crypto.unseal(
            crypto.hkdf(secret, b"podstore session"), row.wrapped_key, session_id.encode()
        )
    except crypto.SealBroken:
        raise Unauthenticated("the token is not valid") from None
    key = X25519PrivateKey.from_private_bytes(raw)
    return Actor(row.user_id, row.name, key, session_id, purpose=row.purpose)


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
        self.catch_up: Callable[[], None] = lambda: None  # revocations that have arrived

    def get(self, token: str) -> Actor | None:
        if self.ttl <= 0:
            return None
        self.catch_up()
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

    async def signup(
        self, name: str, password: str, mnemonic: str | None = None, email: str | None = None
    ) -> Signup:
        name = validate_user_name(name)
        validate_password(password)
        email = None if email is None else validate_email(email)
        phrase = crypto.normalise_mnemonic(mnemonic) if mnemonic else crypto.new_mnemonic()
        identity = await asyncio.to_thread(crypto.identity_from_mnemonic, phrase)
        fields = await asyncio.to_thread(self._secret_fields, password, phrase)
        address = await asyncio.to_thread(address_from_mnemonic, phrase)
        row = {
            "id": new_id(),
            "name": name,
            "public_key": crypto.public_bytes(identity),
            "profile": {},
            "quota_bytes": self.ctx.settings.user_quota_bytes,
            "created_at": now(),
            "email": email,
            **fields,
        }
        first_is_admin = self.ctx.settings.first_user_is_admin

        def insert(conn: Connection) -> None:
            first = first_is_admin and conn.execute(sa.select(users.c.id).limit(1)).first() is None
            conn.execute(users.insert().values(**row, is_admin=first))
            conn.execute(account_addresses.insert().values(user_id=row["id"], address=address))

        try:
            await self.ctx.db.write(insert)
        except UniqueViolation as exc:
            raise Conflict(f"the name {name!r} or that e-mail address is taken") from exc
        return Signup(row["id"], name, None if mnemonic else phrase, address)

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
    ) -> tuple[Any, X25519PrivateKey, str]:
        """The user row, identity key and mnemonic for a correct password; throttled and
        counted."""
        # a name has no "@"; an e-mail address names its account as well
        match = users.c.email == name.lower() if "@" in name else users.c.name == name
        row = await self.ctx.db.read(lambda c: c.execute(sa.select(users).where(match)).first())
        account = name if row is None else row.name  # one count, by name or by address
        keys = [f"user:{account}"] + ([f"addr:{client}"] if client else [])
        await self.check_throttle(keys)
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
        return row, identity, phrase

    async def login(
        self, name: str, password: str, client: str | None = None, ttl: float | None = None
    ) -> Login:
        """A session for the account named `name` (or with that e-mail address), valid
        `ttl` seconds (default: the `token_ttl_seconds` setting)."""
        if not isinstance(name, str) or not isinstance(password, str):
            raise Invalid("name and password must be strings")
        try:
            row, identity, phrase = await self.verify(name, password, client)
        except Unauthenticated:
            await self.ctx.db.write(lambda c: self._audit_failure(c, name, client))
            raise
        if await self.address(row.id) is None:  # an account made before addresses were kept
            address = await asyncio.to_thread(address_from_mnemonic, phrase)
            await self.ctx.db.write(
                lambda c: c.execute(
                    account_addresses.insert().values(user_id=row.id, address=address)
                )
            )
        lifetime = self.ctx.settings.token_ttl_seconds if ttl is None else ttl
        return await self._open_session(row.id, identity, client, lifetime)

    async def address(self, user_id: str) -> str | None:
        """The Ethereum address (EIP-55) the account's mnemonic derives, once known."""
        query = sa.select(account_addresses.c.address).where(account_addresses.c.user_id == user_id)
        found: str | None = await self.ctx.db.read(lambda c: c.execute(query).scalar())
        return found

    async def address_of_name(self, name: str) -> str | None:
        """The address of the user called `name`, once known."""
        query = (
            sa.select(account_addresses.c.address)
            .join(users, users.c.id == account_addresses.c.user_id)
            .where(users.c.name == name)
        )
        found: str | None = await self.ctx.db.read(lambda c: c.execute(query).scalar())
        return found

    async def present(self, name: str) -> bool:
        query = sa.select(users.c.id).where(users.c.name == name)
        return await self.ctx.db.read(lambda c: c.execute(query).first()) is not None

    async def logged_in(self, name: str) -> bool:
        """Whether the user has a session that has not expired."""
        query = (
            sa.select(sessions.c.id)
            .join(users, users.c.id == sessions.c.user_id)
            .where(users.c.name == name, sessions.c.expires_at > now())
            .limit(1)
        )
        return await self.ctx.db.read(lambda c: c.execute(query).first()) is not None

    async def name_at(self, address: str) -> str | None:
        """The name of a user whose address this is (any letter case), or None; accounts made
        from one mnemonic share it, and the first made is named."""
        try:
            wanted = checksummed(bytes.fromhex(address.strip().removeprefix("0x")))
        except ValueError:
            return None
        query = (
            sa.select(users.c.name)
            .join(account_addresses, account_addresses.c.user_id == users.c.id)
            .where(account_addresses.c.address == wanted)
            .order_by(users.c.created_at)
            .limit(1)
        )
        found: str | None = await self.ctx.db.read(lambda c: c.execute(query).scalar())
        return found

    @staticmethod
    def _audit_failure(conn: Connection, name: str, client: str | None) -> None:
        match = users.c.email == name.lower() if "@" in name else users.c.name == name
        user_id = conn.execute(sa.select(users.c.id).where(match)).scalar()
        if user_id is not None:
            audit(conn, user_id, "login.failed", {"name": name}, client)

    async def _open_session(
        self,
        user_id: str,
        identity: X25519PrivateKey,
        client: str | None,
        ttl: float,
        purpose: str = LOGIN,
    ) -> Login:
        session_id = secrets.token_hex(16)
        secret = os.urandom(32)
        expires = now() + ttl
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
                    purpose=purpose,
                )
            )
            if purpose == LOGIN:
                conn.execute(
                    users.update().where(users.c.id == user_id).values(last_login_at=now())
                )
                audit(conn, user_id, "login", {"session": session_id[:8]}, client)

        await self.ctx.db.write(insert)
        token = session_id + "." + base64.urlsafe_b64encode(secret).decode().rstrip("=")
        return Login(token, expires, user_id)

    async def authenticate(self, token: str, purpose: str = LOGIN) -> Actor:
        """The actor of a session token, or of a key issued for `purpose` ("download")."""
        session_id, secret = _parse_token(token)
        cached = self.sessions.get(token)
        if cached is not None and cached.purpose == purpose:
            return cached
        row = await self.ctx.db.read(
            lambda c: c.execute(_SESSION, {"session_id": session_id}).first()
        )
        if row is None:
            raise Unauthenticated("the token is not valid")
        actor = _open_row(row, session_id, secret)
        if actor.purpose != purpose:
            raise Unauthenticated("the token is not valid here")
        if row.expires_at - now() > self.sessions.ttl:
            self.sessions.put(token, actor)
        return actor

    async def issue_key(self, actor: Actor, purpose: str, ttl: float) -> str:
        """A token for `purpose` alone, valid `ttl` seconds, that ends with the account's
        sessions (password change, recovery, deletion): "download" reads only;
        "upload:<node id>" is redeemed once (`redeem_upload_key`)."""
        if actor.purpose != LOGIN or actor.private_key is None or actor.session_id is None:
            raise Unauthenticated("only a logged-in session issues keys")
        if purpose not in KEY_PURPOSES and not purpose.startswith(UPLOAD):
            raise Invalid(f"no key purpose {purpose!r}")
        issued = await self._open_session(actor.user_id, actor.private_key, None, ttl, purpose)
        return issued.token

    async def redeem_upload_key(self, token: str) -> tuple[Actor, str]:
        """(actor, node id) of an upload key, which this spends: a second use is refused."""
        session_id, secret = _parse_token(token)

        def spend(conn: Connection) -> Any:
            row = conn.execute(_SESSION, {"session_id": session_id}).first()
            if row is None or not str(row.purpose).startswith(UPLOAD):
                return None
            if not hmac.compare_digest(row.secret_hash, crypto.token_hash(secret)):
                return None
            spent = conn.execute(sessions.delete().where(sessions.c.id == session_id))
            return row if spent.rowcount == 1 else None

        row = await self.ctx.db.write(spend)
        if row is None:
            raise Unauthenticated("the upload token is not valid or was used already")
        if row.expires_at < now():
            raise Expired("the upload token has expired", expired_at=row.expires_at)
        actor = _open_row(row, session_id, secret)
        return actor, actor.purpose.removeprefix(UPLOAD)

    async def logout(self, actor: Actor) -> None:
        if actor.session_id:
            self.sessions.forget(actor.user_id)
            sid = actor.session_id

            def drop(conn: Connection) -> None:
                conn.execute(sessions.delete().where(sessions.c.id == sid))
                sessions_revoked(conn, actor.user_id)

            await self.ctx.db.write(drop)

    async def open_sessions(self, actor: Actor) -> list[SessionInfo]:
        """The account's sessions that have not expired, newest first."""
        rows = await self.ctx.db.read(
            lambda c: c.execute(
                sa.select(sessions)
                .where(sessions.c.user_id == actor.user_id, sessions.c.expires_at > now())
                .order_by(sessions.c.created_at.desc())
            ).all()
        )
        return [
            SessionInfo(r.id, r.client or "", r.created_at, r.expires_at, r.id == actor.session_id)
            for r in rows
        ]

    async def end_session(self, actor: Actor, session_id: str) -> None:
        """Log one of the account's sessions out (another device, say)."""

        def drop(conn: Connection) -> None:
            gone = conn.execute(
                sessions.delete().where(
                    sessions.c.id == session_id, sessions.c.user_id == actor.user_id
                )
            )
            if not gone.rowcount:
                raise NotFound("no such session")
            sessions_revoked(conn, actor.user_id)
            audit(conn, actor.user_id, "session.ended", {"session": session_id[:8]})

        await self.ctx.db.write(drop)
        self.sessions.forget(actor.user_id, keep_session=actor.session_id)

    # -- profile and account -----------------------------------------------------------------

    async def set_email(self, actor: Actor, email: str | None) -> UserInfo:
        """Set (None: remove) the account's e-mail address, which logs in like its name."""
        address = None if email is None else validate_email(email)
        change = users.update().where(users.c.id == actor.user_id).values(email=address)
        try:
            await self.ctx.db.write(lambda c: c.execute(change))
        except UniqueViolation as exc:
            raise Conflict("another account has this e-mail address") from exc
        return await self.me(actor)

    async def set_admin(self, name: str, is_admin: bool) -> None:
        """Grant or take away the administrator role (an operator's command: no actor)."""
        change = users.update().where(users.c.name == name).values(is_admin=is_admin)
        if (await self.ctx.db.write(lambda c: c.execute(change))).rowcount != 1:
            raise NotFound(f"no user {name!r}")

    async def name_of(self, user_id: str) -> str:
        """The user name of an account id (ids name users in some protocols)."""
        query = sa.select(users.c.name).where(users.c.id == user_id)
        name = await self.ctx.db.read(lambda c: c.execute(query).scalar())
        if name is None:
            raise NotFound("no such user")
        return str(name)

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
            email=row.email,
            is_admin=bool(row.is_admin),
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
        row, _, _ = await self.verify(actor.name, old, None)
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
