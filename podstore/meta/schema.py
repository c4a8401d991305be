"""Tables of accounts, pods, the file tree and chunk references.

Times are float seconds since the epoch; ids are UUID strings, except chunk ids (hex).
Feature areas that come later (kv, docs, sharing, uploads) add their tables to `metadata`
in modules of their own.
"""

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
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import BigInteger

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = String(36)
Big = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("kek_salt", LargeBinary, nullable=False),
    Column("wrapped_secret", LargeBinary, nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("profile", JSON, nullable=False),
    Column("quota_bytes", Big, nullable=False, server_default="0"),
    Column("created_at", Float, nullable=False),
    Column("last_login_at", Float),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("email", String(254)),  # lowercase; a second name to log in with
    Column("is_admin", Boolean, nullable=False, server_default=text("false")),
    Index("uq_users_email", "email", unique=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("secret_hash", LargeBinary, nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("client", String(255)),
    # "login" (a full session), "download" (reads only) or "upload:<node id>" (one upload)
    Column("purpose", String(64), nullable=False, server_default="login"),
)

throttle = Table(
    "throttle",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", Float, nullable=False),
)

pods = Table(
    "pods",
    metadata,
    Column("id", Id, primary_key=True),
    Column("owner_id", Id, ForeignKey("users.id", ondelete="CASCADE")),
    Column("owner_group_id", Id),
    Column("name", String(255), nullable=False),
    Column("compression", String(8), nullable=False),
    Column("versions_kept", Integer, nullable=False),
    Column("quota_bytes", Big, nullable=False, server_default="0"),
    Column("used_bytes", Big, nullable=False, server_default="0"),
    Column("root_id", Id, nullable=False),
    Column("read_only", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("owner_id", "name"),
)

pod_members = Table(
    "pod_members",
    metadata,
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(8), nullable=False),
    Column("alias", String(255), nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    UniqueConstraint("user_id", "alias"),
)

nodes = Table(
    "nodes",
    metadata,
    Column("id", Id, primary_key=True),
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", Id, ForeignKey("nodes.id", ondelete="CASCADE")),
    Column("name", String(255), nullable=False),
    Column("kind", String(4), nullable=False),
    Column("size", Big, nullable=False, server_default="0"),
    Column("content_type", String(255)),
    Column("version_id", Id),
    Column("created_by", Id),
    Column("created_at", Float, nullable=False),
    Column("modified_at", Float, nullable=False),
    Column("trashed_at", Float),
    Column("trashed_by", Id),
    Column("mode", Integer),  # permission bits (chmod); null: never set
    # the times as `iso` writes them, for listings; written by the database (triggers of
    # migration 0009), null for a time `iso` cannot write
    Column("created_stamp", String(32)),
    Column("modified_stamp", String(32)),
    Index(
        "uq_nodes_live_name",
        "pod_id",
        "parent_id",
        "name",
        unique=True,
        sqlite_where=text("trashed_at IS NULL"),
        postgresql_where=text("trashed_at IS NULL"),
    ),
    Index("ix_nodes_parent", "parent_id", "name"),
    Index("ix_nodes_trash", "pod_id", "trashed_at"),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("node_id", Id, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("size", Big, nullable=False),
    Column("content_hash", LargeBinary, nullable=False),
    Column("content_type", String(255)),
    Column("manifest", LargeBinary, nullable=False),
    Column("keys_pod_id", Id),  # set when the chunks are under another pod's keys (a copy)
    Column("created_by", Id),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("node_id", "number"),
)

chunks = Table(
    "chunks",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("pod_id", Id, nullable=False),
    Column("stored_size", Big, nullable=False),
    Column("refcount", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_chunks_refcount", "refcount"),
)

stars = Table(
    "stars",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("node_id", Id, ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", Float, nullable=False),
)
