"""Tables of WebDAV and its credentials: app passwords, dead properties and locks.

App passwords belong to accounts (usable only as an HTTP Basic password); dead properties
and locks are kept here rather than in a node's memory so that every node of a cluster
sees the same ones (DESIGN.md §7). Both hang off a node id: a property follows its file
through a move; a lock names the node it was taken on and the path it was taken at.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, LargeBinary, String, Table, Text

from podstore.meta.schema import Id, metadata

app_passwords = Table(
    "app_passwords",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("label", String(255), nullable=False),
    Column("secret_hash", LargeBinary, nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_used_at", Float),
)

dav_properties = Table(
    "dav_properties",
    metadata,
    Column("node_id", Id, ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True),
    Column("namespace", String(1024), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("value", Text, nullable=False),  # the element's content as XML text
)

dav_locks = Table(
    "dav_locks",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), nullable=False),
    Column("node_id", Id, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("exclusive", String(1), nullable=False),  # "1" exclusive, "0" shared
    Column("infinite", String(1), nullable=False),  # "1" depth infinity, "0" depth 0
    Column("owner", Text, nullable=False),  # the client's <owner> XML, returned as given
    Column("timeout", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_dav_locks_pod", "pod_id", "expires_at"),
    Index("ix_dav_locks_node", "node_id"),
)
