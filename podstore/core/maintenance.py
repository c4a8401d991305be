"""What garbage collection and fsck must keep: the blobs that anything still references."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from podstore.core.previews.previews import preview_chunk_names
from podstore.core.tree.refs import version_chunk_names
from podstore.core.uploads.sessions import session_chunk_names


def referenced_names(conn: Connection) -> set[str]:
    """Blobs in use: chunks of versions, of their previews, and of unfinished uploads."""
    return version_chunk_names(conn) | preview_chunk_names(conn) | session_chunk_names(conn)
