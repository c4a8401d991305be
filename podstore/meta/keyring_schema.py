"""Named RSA key pairs of a user (BitDust's keys): the public half in the clear, the private
half wrapped for the user's identity key like every secret. A key opens one pod; sharing a
key gives another user a row of their own (same alias and creator) and a place in the pod."""

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
)
