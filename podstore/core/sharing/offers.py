"""Offers: share references (FairOS, BitDust) and shared copies (FileAgo's Incoming).

An offer is a snapshot of a file or folder taken when it is made: the current version of
each file, holding chunk references of its own, so it stays whole whatever happens to the
original. A reference is redeemed with its token by whoever holds it (or only by the user
it names); a copy is addressed to one user and waits in their inbox. Either is received
into a folder the recipient chooses: new nodes whose versions point at the same chunks,
read with the source pod's keys, which are sealed for the receiving pod. No data moves.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import (
    Level,
    PodAccess,
    PodKeyCache,
    authorize,
    foreign_keys,
    user_by_name,
)
from podstore.core.accounts import crypto
from podstore.core.context import Actor, CoreContext, iso, new_id, now
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.names import split_path
from podstore.core.records import NewRef, NodeInfo, OfferInfo
from podstore.core.social.audit import audit
from podstore.core.social.events import emit
from podstore.core.tree.nodes import child, get_node, node_info, resolve, resolve_dir
from podstore.core.tree.placement import check_copy_size, check_depth
from podstore.core.tree.quota import check_quota
from podstore.core.tree.refs import add_refs, drop_refs
from podstore.meta.schema import nodes, pods, users, versions
from podstore.meta.sharing_schema import offers, pod_foreign_keys
from podstore.storage.manifest import Manifest

_ID = 36


def _pack(secrets_by_pod: dict[str, bytes]) -> bytes:
    return b"".join(pod.encode().ljust(_ID) + raw for pod, raw in secrets_by_pod.items())


def _unpack(raw: bytes) -> dict[str, bytes]:
    size = _ID + 64
    return {
        raw[i : i + _ID].decode().strip(): raw[i + _ID : i + size] for i in range(0, len(raw), size)
    }


def _snapshot(conn: Connection, access: PodAccess, node: Row[Any]) -> list[dict[str, Any]]:
    """Every live node below `node` with the manifest of its current version."""
    entries: list[dict[str, Any]] = []
    pending: list[tuple[Row[Any], str]] = [(node, "")]
    while pending:
        current, rel = pending.pop()
        item: dict[str, Any] = {"path": rel, "kind": current.kind, "size": current.size}
        if current.kind == "file" and current.version_id:
            v = conn.execute(sa.select(versions).where(versions.c.id == current.version_id)).one()
            item.update(
                content_type=v.content_type,
                keys_pod_id=v.keys_pod_id or access.pod_id,
                content_hash=base64.b64encode(v.content_hash).decode(),
                manifest=base64.b64encode(v.manifest).decode(),
            )
        entries.append(item)
        if current.kind == "dir":
            for kid in conn.execute(
                sa.select(nodes).where(
                    nodes.c.parent_id == current.id, nodes.c.trashed_at.is_(None)
                )
            ).all():
                pending.append((kid, f"{rel}/{kid.name}" if rel else kid.name))
    return entries


def _height(entries: list[dict[str, Any]]) -> int:
    """Levels below the offered item's root (0 for a file or an empty folder)."""
    return max((e["path"].count("/") + 1 for e in entries if e["path"]), default=0)


def _manifests(entries: list[dict[str, Any]]) -> list[Manifest]:
    return [
        Manifest.from_bytes(base64.b64decode(e["manifest"])) for e in entries if "manifest" in e
    ]


def offer_view(conn: Connection, row: Row[Any]) -> OfferInfo:
    sender = conn.execute(sa.select(users.c.name).where(users.c.id == row.sender_id)).scalar()
    return OfferInfo(
        id=row.id,
        kind=row.kind,
        name=row.name,
        node_kind=row.node_kind,
        size=row.size,
        files=sum(1 for e in row.entries if e["kind"] == "file"),
        sender=sender,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


def offer_event(offer: OfferInfo) -> dict[str, Any]:
    """What a `share.received` event tells the recipient about a shared copy or reference."""
    return {
        "id": offer.id,
        "kind": offer.kind,
        "name": offer.name,
        "type": offer.node_kind,
        "size": offer.size,
        "files": offer.files,
        "sender": offer.sender,
        "created": iso(offer.created_at),
        "expires_at": iso(offer.expires_at),
    }


class Offers:
    def __init__(self, ctx: CoreContext, keys: PodKeyCache) -> None:
        self.ctx = ctx
        self.keycache = keys

    async def _offer(
        self,
        actor: Actor,
        pod: str,
        path: str,
        kind: str,
        user: str | None,
        expires_at: float | None,
    ) -> tuple[str, bytes | None]:
        if expires_at is not None and expires_at <= now():
            raise Invalid("the expiry is in the past")
        parts = split_path(path)
        access = await self.ctx.db.read(lambda c: authorize(c, actor, pod, Level.MANAGE))
        keys = self.keycache.keys(access, actor)
        own = crypto.PodSecrets(keys.data_key, keys.dedup_key).to_bytes()
        secret = os.urandom(24) if kind == "ref" else None
        offer_id = new_id()

        def insert(conn: Connection) -> None:
            authorize(conn, actor, pod, Level.MANAGE)
            node = resolve(conn, access, parts)
            check_copy_size(conn, node.id, self.ctx.settings.max_copy_nodes)
            entries = _snapshot(conn, access, node)
            by_pod = {access.pod_id: own}
            for source in {e["keys_pod_id"] for e in entries if "manifest" in e} - {access.pod_id}:
                other = foreign_keys(conn, keys, access.pod_id, source)
                by_pod[source] = crypto.PodSecrets(other.data_key, other.dedup_key).to_bytes()
            recipient = user_by_name(conn, user) if user else None
            if recipient is not None and recipient.id == actor.user_id:
                raise Invalid("you cannot share with yourself")
            context = offer_id.encode()
            conn.execute(
                offers.insert().values(
                    id=offer_id,
                    kind=kind,
                    sender_id=actor.user_id,
                    source_pod_id=access.pod_id,
                    recipient_id=recipient.id if recipient is not None else None,
                    name=node.name or access.name,
                    node_kind=node.kind,
                    size=sum(e["size"] for e in entries if e["kind"] == "file"),
                    entries=entries,
                    secret_hash=crypto.token_hash(secret) if secret else None,
                    sealed_key=crypto.seal(
                        crypto.hkdf(secret, b"podstore offer"), _pack(by_pod), context
                    )
                    if secret
                    else None,
                    wrapped_key=crypto.wrap_for(bytes(recipient.public_key), _pack(by_pod), context)
                    if recipient is not None and not secret
                    else None,
                    created_at=now(),
                    expires_at=expires_at,
                )
            )
            for manifest in _manifests(entries):
                add_refs(conn, access.pod_id, manifest)
            row = conn.execute(sa.select(offers).where(offers.c.id == offer_id)).one()
            if recipient is not None:
                emit(conn, [recipient.id], "share.received", offer_event(offer_view(conn, row)))
            audit(conn, actor.user_id, f"offer.{kind}", {"offer": offer_id, "node": node.id})

        await self.ctx.db.write(insert)
        return offer_id, secret

    async def create_ref(
        self,
        actor: Actor,
        pod: str,
        path: str,
        *,
        user: str | None = None,
        expires_at: float | None = None,
    ) -> NewRef:
        offer_id, secret = await self._offer(actor, pod, path, "ref", user, expires_at)
        assert secret is not None
        ref = offer_id + "." + base64.urlsafe_b64encode(secret).decode().rstrip("=")
        view = await self.ctx.db.read(
            lambda c: offer_view(
                c, c.execute(sa.select(offers).where(offers.c.id == offer_id)).one()
            )
        )
        return NewRef(offer=view, ref=ref)

    async def share_copy(self, actor: Actor, pod: str, path: str, user: str) -> OfferInfo:
        offer_id, _ = await self._offer(actor, pod, path, "copy", user, None)
        return await self.ctx.db.read(
            lambda c: offer_view(
                c, c.execute(sa.select(offers).where(offers.c.id == offer_id)).one()
            )
        )

    # -- the recipient's side ------------------------------------------------------------------

    def _by_ref(
        self, conn: Connection, actor: Actor, ref: str
    ) -> tuple[Row[Any], dict[str, bytes]]:
        offer_id, _, encoded = ref.partition(".")
        try:
            secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise NotFound("no such share reference") from None
        row = conn.execute(
            sa.select(offers).where(offers.c.id == offer_id, offers.c.kind == "ref")
        ).first()
        if (
            row is None
            or row.secret_hash is None
            or not crypto.constant_time_equal(row.secret_hash, crypto.token_hash(secret))
            or (row.recipient_id and row.recipient_id != actor.user_id)
            or (row.expires_at is not None and row.expires_at <= now())
        ):
            raise NotFound("no such share reference")
        raw = crypto.unseal(crypto.hkdf(secret, b"podstore offer"), row.sealed_key, row.id.encode())
        return row, _unpack(raw)

    def _addressed(
        self, conn: Connection, actor: Actor, offer_id: str
    ) -> tuple[Row[Any], dict[str, bytes]]:
        row = conn.execute(
            sa.select(offers).where(
                offers.c.id == offer_id,
                offers.c.kind == "copy",
                offers.c.recipient_id == actor.user_id,
            )
        ).first()
        if row is None or actor.private_key is None:
            raise NotFound("no such item in your inbox")
        raw = crypto.unwrap_with(actor.private_key, row.wrapped_key, row.id.encode())
        return row, _unpack(raw)

    async def info(self, actor: Actor, ref: str) -> OfferInfo:
        def query(conn: Connection) -> OfferInfo:
            row, _ = self._by_ref(conn, actor, ref)
            return offer_view(conn, row)

        return await self.ctx.db.read(query)

    async def inbox(self, actor: Actor) -> list[OfferInfo]:
        def query(conn: Connection) -> list[OfferInfo]:
            rows = conn.execute(
                sa.select(offers)
                .where(offers.c.recipient_id == actor.user_id)
                .order_by(offers.c.created_at.desc())
            ).all()
            return [
                offer_view(conn, r) for r in rows if r.expires_at is None or r.expires_at > now()
            ]

        return await self.ctx.db.read(query)

    async def outbox(self, actor: Actor) -> list[OfferInfo]:
        def query(conn: Connection) -> list[OfferInfo]:
            rows = conn.execute(
                sa.select(offers)
                .where(offers.c.sender_id == actor.user_id)
                .order_by(offers.c.created_at.desc())
            ).all()
            return [offer_view(conn, r) for r in rows]

        return await self.ctx.db.read(query)

    async def receive(
        self,
        actor: Actor,
        pod: str,
        folder: str,
        *,
        ref: str | None = None,
        offer_id: str | None = None,
    ) -> NodeInfo:
        """Place the offered item into `folder` of the actor's pod `pod`."""
        parts = split_path(folder)
        target = await self.ctx.db.read(lambda c: authorize(c, actor, pod, Level.WRITE))
        target_keys = self.keycache.keys(target, actor)

        def receive(conn: Connection) -> NodeInfo:
            access = authorize(conn, actor, pod, Level.WRITE)
            if ref is not None:
                row, by_pod = self._by_ref(conn, actor, ref)
            else:
                row, by_pod = self._addressed(conn, actor, offer_id or "")
            parent = resolve_dir(conn, access, parts)
            check_depth(conn, access, len(parts) + 1 + _height(row.entries))
            if child(conn, parent.id, row.name) is not None:
                raise Conflict(f"{row.name!r} is already present in the destination folder")
            check_quota(conn, access, row.size)
            for source, raw in by_pod.items():
                if (
                    source != access.pod_id
                    and not conn.execute(
                        sa.select(pod_foreign_keys.c.pod_id).where(
                            pod_foreign_keys.c.pod_id == access.pod_id,
                            pod_foreign_keys.c.source_pod_id == source,
                        )
                    ).first()
                ):
                    conn.execute(
                        pod_foreign_keys.insert().values(
                            pod_id=access.pod_id,
                            source_pod_id=source,
                            sealed_key=crypto.seal(
                                target_keys.data_key, raw, b"foreign " + source.encode()
                            ),
                        )
                    )
            new_root = _materialise(conn, access, actor, parent.id, row)
            if row.kind == "copy":
                _forget(conn, row)
            audit(conn, actor.user_id, "offer.received", {"offer": row.id, "node": new_root})
            node = get_node(conn, new_root)
            assert node is not None
            return node_info(node)

        return await self.ctx.db.write(receive)

    async def delete(self, actor: Actor, offer_id: str) -> None:
        """The recipient declines a copy, or the sender withdraws an offer."""

        def delete(conn: Connection) -> None:
            row = conn.execute(sa.select(offers).where(offers.c.id == offer_id)).first()
            if row is None or actor.user_id not in (row.sender_id, row.recipient_id):
                raise NotFound("no such offer")
            _forget(conn, row)

        await self.ctx.db.write(delete)

    def expire(self, conn: Connection) -> int:
        rows = conn.execute(sa.select(offers).where(offers.c.expires_at <= now())).all()
        for row in rows:
            _forget(conn, row)
        return len(rows)


def _forget(conn: Connection, row: Row[Any]) -> None:
    drop_refs(conn, _manifests(row.entries))
    conn.execute(offers.delete().where(offers.c.id == row.id))


def _materialise(
    conn: Connection, access: PodAccess, actor: Actor, parent_id: str, row: Row[Any]
) -> str:
    t = now()
    ids: dict[str, str] = {}
    added = 0
    for item in sorted(row.entries, key=lambda e: e["path"].count("/") if e["path"] else -1):
        rel = item["path"]
        up = rel.rpartition("/")[0] if "/" in rel else ""
        node_parent = parent_id if rel == "" else ids[up]
        name = row.name if rel == "" else rel.rpartition("/")[2]
        node_id = ids[rel] = new_id()
        conn.execute(
            nodes.insert().values(
                id=node_id,
                pod_id=access.pod_id,
                parent_id=node_parent,
                name=name,
                kind=item["kind"],
                size=item["size"],
                content_type=item.get("content_type"),
                created_by=actor.user_id,
                created_at=t,
                modified_at=t,
            )
        )
        if "manifest" in item:
            version_id = new_id()
            raw = base64.b64decode(item["manifest"])
            source = item["keys_pod_id"]
            conn.execute(
                versions.insert().values(
                    id=version_id,
                    node_id=node_id,
                    number=1,
                    size=item["size"],
                    content_hash=base64.b64decode(item["content_hash"]),
                    content_type=item.get("content_type"),
                    manifest=raw,
                    keys_pod_id=None if source == access.pod_id else source,
                    created_by=actor.user_id,
                    created_at=t,
                )
            )
            conn.execute(nodes.update().where(nodes.c.id == node_id).values(version_id=version_id))
            add_refs(conn, access.pod_id, Manifest.from_bytes(raw))
            added += item["size"]
    conn.execute(
        pods.update().where(pods.c.id == access.pod_id).values(used_bytes=pods.c.used_bytes + added)
    )
    return ids[""]
