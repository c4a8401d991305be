"""The file metadata object, exactly as Hasura's file service wrote it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from podstore.core.records import StoredFile


def timestamp(epoch: float) -> str:
    """ISO 8601 with microseconds and `+00:00`, as Hasura wrote `created_at`."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds")


def metadata(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "content_type": stored.content_type,
        "file_status": "uploaded",
        "file_size": stored.size,
        "user_id": stored.user_number,
        "user_role": stored.user_role,
        "created_at": timestamp(stored.created_at),
    }
