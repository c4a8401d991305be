"""Tables of sharing: groups, group access to pods, grants on nodes, public links, offers
(share references and shared copies) and the foreign keys that let a pod read copies."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)

from podstore.meta.schema import Big, Id, metadata

groups = Table(
    "groups",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("public_key", LargeBinary, nullable=False),
    Column("created_by", Id),
    Column("created_at", Float, nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", Id, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(8), nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("added_at", Float, nullable=False),
    Index("ix_group_members_user", "user_id"),
)

pod_groups = Table(
    "pod_groups",
    metadata,
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", Id, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(8), nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Index("ix_pod_groups_group", "group_id"),
)

grants = Table(
    "grants",
    metadata,
    Column("id", Id, primary_key=True),
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), nullable=False),
    Column("node_id", Id, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE")),
    Column("group_id", Id, ForeignKey("groups.id", ondelete="CASCADE")),
    Column("level", String(8), nullable=False),
    Column("no_download", Boolean, nullable=False),
    Column("expires_at", Float),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_by", Id),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("node_id", "user_id"),
    UniqueConstraint("node_id", "group_id"),
    Index("ix_grants_user", "user_id"),
    Index("ix_grants_group", "group_id"),
)

links = Table(
    "links",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("secret_hash", LargeBinary, nullable=False),
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), nullable=False),
    Column("node_id", Id, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=False),
    Column("sealed_key", LargeBinary, nullable=False),
    Column("password_hash", String(255)),
    Column("expires_at", Float),
    Column("max_downloads", Integer),
    Column("downloads", Integer, nullable=False),
    Column("upload_only", Boolean, nullable=False),
    Column("created_by", Id),
    Column("created_at", Float, nullable=False),
)

offers = Table(
    "offers",
    metadata,
    Column("id", Id, primary_key=True),
    Column("kind", String(8), nullable=False),  # "ref" (redeemed with a token) or "copy"
    Column("secret_hash", LargeBinary),
    Column("sender_id", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("recipient_id", Id, ForeignKey("users.id", ondelete="CASCADE")),
    Column("source_pod_id", Id, nullable=False),
    Column("name", String(255), nullable=False),
    Column("node_kind", String(4), nullable=False),
    Column("size", Big, nullable=False),
    Column("entries", JSON, nullable=False),
    Column("wrapped_key", LargeBinary),  # source pod secrets for the recipient's public key
    Column("sealed_key", LargeBinary),  # source pod secrets sealed with the token's secret
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float),
    Index("ix_offers_recipient", "recipient_id"),
    Index("ix_offers_sender", "sender_id"),
)

pod_foreign_keys = Table(
    "pod_foreign_keys",
    metadata,
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), primary_key=True),
    Column("source_pod_id", Id, primary_key=True),
    Column("sealed_key", LargeBinary, nullable=False),  # sealed with the pod's data key
)
