"""Tables of resumable uploads in progress (chunk-list handshake and tus).

A session is one file being uploaded by one user into one pod. Its chunks are listed in
`upload_chunks` in file order: for the handshake every chunk the client declared (`present`
once stored), for tus every chunk cut from the stream so far. While a session exists, its
chunks (and a tus session's pending `tail_id` blob) count as referenced for garbage
collection; an expired session is deleted, and its orphaned chunks are collected.
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
    String,
    Table,
    Text,
)

from podstore.meta.schema import Big, Id, metadata

upload_sessions = Table(
    "upload_sessions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), nullable=False),
    Column("protocol", String(8), nullable=False),  # "chunks" | "tus"
    Column("path", Text, nullable=False),
    Column("size", Big, nullable=False),
    Column("content_type", String(255)),
    Column("fingerprint", String(64)),  # handshake: hash of (path, size, chunk list)
    Column("tus_metadata", Text),  # tus: Upload-Metadata as sent
    Column("received", Big, nullable=False, server_default="0"),  # tus: durable offset
    Column("tail_id", String(64)),  # tus: blob of the un-chunked tail
    Column("tail_size", Big, nullable=False, server_default="0"),
    Column("state", String(10), nullable=False),  # "open" | "committed"
    Column("result", JSON),  # the committed file entry, for an idempotent commit
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_upload_sessions_user", "user_id", "state"),
    Index("ix_upload_sessions_expires", "expires_at"),
)

upload_chunks = Table(
    "upload_chunks",
    metadata,
    Column(
        "session_id",
        Id,
        ForeignKey("upload_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("idx", Integer, primary_key=True),
    Column("offset", Big, nullable=False),
    Column("size", Integer, nullable=False),
    Column("plain_hash", LargeBinary, nullable=False),
    Column("chunk_id", String(64), nullable=False),
    Column("stored_size", Big, nullable=False, server_default="0"),
    Column("present", Boolean, nullable=False),
    Index("ix_upload_chunks_chunk", "chunk_id"),
)
