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


_SECONDS: dict[int, str] = {}  # whole second -> "YYYY-MM-DDTHH:MM:SS"; cleared when full


def _iso_second(seconds: int) -> str:
    stamp = _SECONDS.get(seconds)
    if stamp is None:
        if len(_SECONDS) >= 4096:
            _SECONDS.clear()
        stamp = datetime.fromtimestamp(seconds, UTC).isoformat()[:19]  # strftime: "5-01-01"
        _SECONDS[seconds] = stamp
    return stamp


def iso(ts: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 UTC with a Z: what `datetime.isoformat` writes
    (microseconds rounded half-even, left out when zero), at a third of its cost (a listing
    of 10,000 entries writes 20,000 of them, mostly of a few seconds)."""
    if ts is None:
        return None
    seconds = int(ts)
    micro = round((ts - seconds) * 1e6)  # ts - int(ts) is exact, as math.modf's fraction
    if micro >= 1_000_000:
        seconds, micro = seconds + 1, micro - 1_000_000
    elif micro < 0:
        seconds, micro = seconds - 1, micro + 1_000_000
    stamp = _iso_second(seconds)
    return f"{stamp}.{micro:06d}Z" if micro else stamp + "Z"
