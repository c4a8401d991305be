"""What every core service shares: settings, the metadata database and the chunk engine."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from podstore.meta.db import Database
from podstore.settings import Settings
from podstore.storage.blobstore import BlobStore
from podstore.storage.engine import ChunkEngine


@dataclass(frozen=True)
class Actor:
    """An authenticated user, with the identity key unwrapped for this request."""

    user_id: str
    name: str
    private_key: X25519PrivateKey | None = field(repr=False)
    session_id: str | None = None
    link_secret: bytes | None = field(default=None, repr=False)  # anonymous link holders
    purpose: str = "login"  # "download": a key that only reads (see Accounts.issue_key)


@dataclass
class CoreContext:
    settings: Settings
    db: Database
    blobs: BlobStore
    engine: ChunkEngine


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> float:
    return time.time()


def iso(ts: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 UTC with a Z."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")
