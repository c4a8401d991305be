"""Public links to a file or a folder: a secret in the URL, optional password, expiry,
download limit, and upload-only drop boxes.

The URL carries `<id>.<secret>`; the server keeps only a hash of the secret and the pod
secrets sealed with a key derived from it, so the link itself is the key. Anonymous
holders act through the scope `link:<id>`, whose root is the linked node.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
import secrets
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import Level, PodKeyCache, authorize
from podstore.core.access.revocations import access_revoked
from podstore.core.accounts import crypto
from podstore.core.accounts.accounts import Accounts
from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Conflict, Invalid, NotFound, PermissionDenied, Unauthenticated
from podstore.core.names import split_path
from podstore.core.pods.pods import pod_name
from podstore.core.records import Download, LinkedPod, LinkInfo, NewLink, NodeInfo, PodRef
from podstore.core.social.audit import audit
from podstore.core.tree.files import Files
from podstore.core.tree.nodes import node_info, resolve
from podstore.meta.errors import UniqueViolation
from podstore.meta.schema import pod_members, pods, users
from podstore.meta.sharing_schema import links

PUBLIC_PREFIX = "/api/v1/public/"


def parse_token(token: str) -> tuple[str, bytes]:
    link_id, _, encoded = token.partition(".")
    try:
        secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise NotFound("no such link") from None
    if len(link_id) != 16 or len(secret) != 24:
        raise NotFound("no such link")
    return link_id, secret


def link_token(link_id: str, secret: bytes) -> str:
    return link_id + "." + base64.urlsafe_b64encode(secret).decode().rstrip("=")


def insert_link(
    conn: Connection,
    actor: Actor,
    pod_id: str,
    node_id: str,
    link_id: str,
    secret: bytes,
    pod_secrets: bytes,
    fields: dict[str, Any],
) -> None:
    """A link row: the secret's hash and the pod secrets sealed with a key from it."""
    sealed = crypto.seal(crypto.hkdf(secret, b"podstore link"), pod_secrets, pod_id.encode())
    conn.execute(
        links.insert().values(
            id=link_id,
            secret_hash=crypto.token_hash(secret),
            pod_id=pod_id,
            node_id=node_id,
            downloads=0,
            created_by=actor.user_id,
            created_at=now(),
            sealed_key=sealed,
            **{"upload_only": False, **fields},
        )
    )
    audit(conn, actor.user_id, "link.created", {"link": link_id, "node": node_id})


def link_view(row: Row[Any]) -> LinkInfo:
    return LinkInfo(
        id=row.id,
        node_id=row.node_id,
        expires_at=row.expires_at,
        max_downloads=row.max_downloads,
        downloads=row.downloads,
        upload_only=bool(row.upload_only),
        password=row.password_hash is not None,
        created_at=row.created_at,
    )


class Links:
    def __init__(
        self, ctx: CoreContext, keys: PodKeyCache, files: Files, accounts: Accounts
    ) -> None:
        self.ctx = ctx
        self.keycache = keys
        self.files = files
        self.accounts = accounts
        s = ctx.settings
        self._hasher = PasswordHasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib)

    async def create(
        self,
        actor: Actor,
        pod: str,
        path: str,
        *,
        password: str | None = None,
        expires_at: float | None = None,
        max_downloads: int | None = None,
        upload_only: bool = False,
    ) -> NewLink:
        if expires_at is not None and expires_at <= now():
            raise Invalid("the expiry is in the past")
        if max_downloads is not None and max_downloads < 1:
            raise Invalid("max_downloads is at least 1")
        if password is not None and not 1 <= len(password) <= 1024:
            raise Invalid("a link password has 1 to 1024 characters")
        parts = split_path(path)
        access = await self.ctx.db.read(lambda c: authorize(c, actor, pod, Level.MANAGE))
        pod_secrets = self.keycache.secrets(access, actor).to_bytes()
        link_id, secret = secrets.token_hex(8), os.urandom(24)
        hashed = await asyncio.to_thread(self._hasher.hash, password) if password else None

        def insert(conn: Connection) -> tuple[LinkInfo, str, str]:
            authorize(conn, actor, pod, Level.MANAGE)
            node = resolve(conn, access, parts)
            if upload_only and node.kind != "dir":
                raise Invalid("an upload-only link points at a folder")
            fields = {
                "password_hash": hashed,
                "expires_at": expires_at,
                "max_downloads": max_downloads,
                "upload_only": upload_only,
            }
            insert_link(conn, actor, access.pod_id, node.id, link_id, secret, pod_secrets, fields)
            row = conn.execute(sa.select(links).where(links.c.id == link_id)).one()
            return link_view(row), node.name, node.kind

        link, name, kind = await self.ctx.db.write(insert)
        token = link_token(link_id, secret)
        url = self.ctx.settings.base_url + PUBLIC_PREFIX + token
        return NewLink(link=link, name=name, kind=kind, url=url, token=token)

    async def list(self, actor: Actor) -> list[LinkInfo]:
        rows = await self.ctx.db.read(
            lambda c: c.execute(
                sa.select(links)
                .where(links.c.created_by == actor.user_id)
                .order_by(links.c.created_at.desc())
            ).all()
        )
        return [link_view(r) for r in rows]

    async def revoke(self, actor: Actor, link_id: str) -> None:
        def revoke(conn: Connection) -> None:
            row = conn.execute(sa.select(links).where(links.c.id == link_id)).first()
            if row is None:
                raise NotFound("no such link")
            if row.created_by != actor.user_id:
                try:
                    authorize(conn, actor, row.pod_id, Level.MANAGE)
                except PermissionDenied:
                    raise NotFound("no such link") from None
            conn.execute(links.delete().where(links.c.id == link_id))
            access_revoked(conn, pod_id=row.pod_id)
            audit(conn, actor.user_id, "link.revoked", {"link": link_id})

        await self.ctx.db.write(revoke)

    async def open(self, token: str, password: str | None, address: str | None) -> Actor:
        """The anonymous actor of a link, once its secret and password (if any) check out.
        Wrong passwords count against the link and the address; tokens that name no link
        against the address (someone trying links), both delayed like failed logins."""
        by_address = [f"addr:{address}"] if address else []
        link_id, _, _ = token.partition(".")
        keys = [f"link:{link_id[:16]}", *by_address]
        await self.accounts.check_throttle(keys)
        try:
            link_id, secret = parse_token(token)
            row = await self.ctx.db.read(
                lambda c: c.execute(sa.select(links).where(links.c.id == link_id)).first()
            )
            if row is None or not crypto.constant_time_equal(
                row.secret_hash, crypto.token_hash(secret)
            ):
                raise NotFound("no such link")
        except NotFound:
            if by_address:
                await self.accounts.record_failure(by_address)
            raise
        if row.expires_at is not None and row.expires_at <= now():
            raise NotFound("the link has expired")
        if row.password_hash is not None:
            if not password:
                raise Unauthenticated("this link needs its password")
            try:
                await asyncio.to_thread(self._hasher.verify, row.password_hash, password)
            except VerificationError:
                await self.accounts.record_failure(keys)
                raise Unauthenticated("wrong link password") from None
        return Actor(f"link:{link_id}", "anonymous", None, link_secret=secret)

    async def pod_of(self, link: Actor) -> LinkedPod:
        """The pod a link's actor reads, if the link shares that pod's root; NotFound else."""
        return await self.ctx.db.read(lambda c: _linked_pod(c, link))

    async def join(self, actor: Actor, link: Actor, alias: str | None = None) -> PodRef:
        """Keep the pod a link shares as the actor's live, read-only view of it (a viewer
        member, named `alias` or as its owner names it), which outlives the link."""
        access = await self.ctx.db.read(lambda c: authorize(c, link, link.user_id, Level.READ))
        pod_secrets = self.keycache.secrets(access, link).to_bytes()
        name = pod_name(alias) if alias else access.name

        def add(conn: Connection) -> None:
            shared = _linked_pod(conn, link)
            public_key = conn.execute(
                sa.select(users.c.public_key).where(users.c.id == actor.user_id)
            ).scalar_one()
            taken = conn.execute(
                sa.select(pod_members.c.alias).where(
                    pod_members.c.user_id == actor.user_id, pod_members.c.alias == name
                )
            ).first()
            if taken is not None:
                raise Conflict(f"you already have a pod named {name!r}")
            conn.execute(
                pod_members.insert().values(
                    pod_id=shared.pod_id,
                    user_id=actor.user_id,
                    role="viewer",
                    alias=name,
                    wrapped_key=crypto.wrap_for(
                        bytes(public_key), pod_secrets, shared.pod_id.encode()
                    ),
                )
            )
            audit(conn, actor.user_id, "pod.joined", {"pod": shared.pod_id, "link": link.user_id})

        try:
            await self.ctx.db.write(add)
        except UniqueViolation as exc:
            raise Conflict("you are a member of this pod already") from exc
        return PodRef(id=access.pod_id, name=name)

    async def stat(self, actor: Actor, path: str) -> NodeInfo:
        def query(conn: Connection) -> NodeInfo:
            access = authorize(conn, actor, actor.user_id, Level.READ)
            return node_info(resolve(conn, access, split_path(path)))

        return await self.ctx.db.read(query)

    async def download(self, actor: Actor, path: str) -> Download:
        """Open a file through the link, counting it against the link's download limit."""
        link_id = actor.user_id.removeprefix("link:")
        handle = await self.files.open(actor, actor.user_id, path)

        def count(conn: Connection) -> None:
            done = conn.execute(
                links.update()
                .where(
                    links.c.id == link_id,
                    sa.or_(
                        links.c.max_downloads.is_(None), links.c.downloads < links.c.max_downloads
                    ),
                )
                .values(downloads=links.c.downloads + 1)
            )
            if not done.rowcount:
                raise NotFound("the link's download limit is reached")

        await self.ctx.db.write(count)
        return handle


def _linked_pod(conn: Connection, link: Actor) -> LinkedPod:
    access = authorize(conn, link, link.user_id, Level.READ)
    pod = conn.execute(
        sa.select(pods.c.root_id, users.c.name)
        .join(users, users.c.id == pods.c.owner_id)
        .where(pods.c.id == access.pod_id)
    ).one()
    if access.upload_only or access.root_id != pod.root_id:
        raise NotFound("the link does not share a whole pod")
    return LinkedPod(pod_id=access.pod_id, name=access.name, owner=pod.name)
