"""Previews: renditions derived from a file version (image thumbnails), stored encrypted as
content under the version's keys and dropped with the version (ON DELETE CASCADE)."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Integer, LargeBinary, String, Table

from podstore.meta.schema import Big, Id, metadata

previews = Table(
    "previews",
    metadata,
    Column("version_id", Id, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("size", Integer, primary_key=True),  # the longest side, in pixels
    Column("content_type", String(64), nullable=False),
    Column("length", Big, nullable=False),
    Column("manifest", LargeBinary),  # NULL: the version cannot be previewed (remembered)
    Column("created_at", Float, nullable=False),
)
