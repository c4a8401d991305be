"""Published links: public links their creators list for everyone to find (AntOS's shared
files). The token is kept in clear because a published link is listed to anyone anyway."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table

from podstore.meta.schema import Id, metadata

published_links = Table(
    "published_links",
    metadata,
    Column("link_id", String(16), ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    Column("node_id", Id, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=False),
    Column("token", String(64), nullable=False),
    Column("published_at", Float, nullable=False),
    Index("ix_published_links_node", "node_id"),
)
