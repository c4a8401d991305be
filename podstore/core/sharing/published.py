"""Published files: public links their creators list for anyone to find.

AntOS's "share" makes a file public and lists it in one directory every visitor of the
server sees; podstore gives it the same shape over its public links. Publishing makes (or
finds) one link of the owner on the node and records its token; the directory lists the
published links whose link and node are still live; unpublishing revokes the link. The
token is kept in clear (a published link is listed to anyone, so its secret is no secret).
"""

from __future__ import annotations

import os
import secrets

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.access.authorize import Level, PodKeyCache, authorize
from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import NotFound
from podstore.core.names import split_path
from podstore.core.records import PublishedFile
from podstore.core.sharing.links import Links, insert_link, link_token, parse_token
from podstore.core.tree.nodes import is_live, node_info, resolve
from podstore.meta.published_schema import published_links
from podstore.meta.schema import nodes
from podstore.meta.sharing_schema import links

_LIVE_LINK = sa.or_(links.c.expires_at.is_(None), links.c.expires_at > sa.bindparam("now"))


class Published:
    def __init__(self, ctx: CoreContext, keys: PodKeyCache, link_service: Links) -> None:
        self.ctx = ctx
        self.keycache = keys
        self.links = link_service

    async def publish(self, actor: Actor, pod: str, path: str) -> str:
        """The token of the node's published link, made on first publication; only those who
        manage the pod may publish (as AntOS lets only a file's owner share it)."""
        parts = split_path(path)
        access = await self.ctx.db.read(lambda c: authorize(c, actor, pod, Level.MANAGE))
        pod_secrets = self.keycache.secrets(access, actor).to_bytes()
        link_id, secret = secrets.token_hex(8), os.urandom(24)

        def insert(conn: Connection) -> str:
            authorize(conn, actor, pod, Level.MANAGE)
            node = resolve(conn, access, parts)
            existing = conn.execute(
                sa.select(published_links.c.token)
                .join(links, links.c.id == published_links.c.link_id)
                .where(published_links.c.node_id == node.id, _LIVE_LINK),
                {"now": now()},
            ).scalar()
            if existing is not None:
                return str(existing)
            insert_link(conn, actor, access.pod_id, node.id, link_id, secret, pod_secrets, {})
            token = link_token(link_id, secret)
            conn.execute(
                published_links.insert().values(
                    link_id=link_id, node_id=node.id, token=token, published_at=now()
                )
            )
            return token

        return await self.ctx.db.write(insert)

    async def unpublish(self, actor: Actor, token: str) -> None:
        """Revoke a published link (its creator or a manager of its pod)."""
        link_id, _ = parse_token(token)
        known = await self.ctx.db.read(
            lambda c: c.execute(
                sa.select(published_links.c.token).where(published_links.c.link_id == link_id)
            ).scalar()
        )
        if known != token:
            raise NotFound("no such published file")
        await self.links.revoke(actor, link_id)

    async def directory(self) -> list[PublishedFile]:
        """Every published file or folder that is live, oldest publication first."""

        def query(conn: Connection) -> list[PublishedFile]:
            rows = conn.execute(
                sa.select(nodes, published_links.c.token)
                .join(published_links, published_links.c.node_id == nodes.c.id)
                .join(links, links.c.id == published_links.c.link_id)
                .where(_LIVE_LINK)
                .order_by(published_links.c.published_at),
                {"now": now()},
            ).all()
            return [PublishedFile(r.token, node_info(r)) for r in rows if is_live(conn, r)]

        return await self.ctx.db.read(query)
