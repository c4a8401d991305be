"""Named RSA key pairs of a user (BitDust's keys): the public half in the clear, the private
half wrapped for the user's identity key like every secret. A key opens one pod, or one folder
of a pod (`node_id`); sharing a key gives another user a row of their own (same alias and
creator) and a place in the pod, or the grant on the folder (`grant_id`).

`catalog_reservations`: paths a user registered for a first upload (BitDust's `file_create`)
that hold no data yet, by the scope and path the user named them with."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from podstore.meta.schema import Id, metadata

rsa_keys = Table(
    "rsa_keys",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("alias", String(64), primary_key=True),
    Column("creator_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), nullable=False),
    Column("size", Integer, nullable=False),
    Column("label", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("wrapped_private", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("node_id", Id, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=True),
    Column("grant_id", Id, ForeignKey("grants.id", ondelete="CASCADE"), nullable=True),
)

catalog_reservations = Table(
    "catalog_reservations",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("scope", String(64), primary_key=True),
    Column("path", String(1024), primary_key=True),
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
)
