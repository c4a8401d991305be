"""What the core returns: plain records, no wire format.

Times are timezone-aware datetimes (UTC) or epoch seconds as named; sizes are ints; ids are
strings. Each front end shapes these into its own JSON, XML or headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from podstore.core.errors import PreconditionFailed
from podstore.storage.engine import PodKeys
from podstore.storage.manifest import Manifest

# ---- tree: nodes, files, versions, trash, favourites, pods, uploads ---------------------


@dataclass(frozen=True)
class Preconditions:
    """Conditions on a file's current version, whose tag is the version id (HTTP's ETag)."""

    if_match: str | None = None
    if_none_match: str | None = None

    def check(self, version: str | None) -> None:
        if self.if_match is not None:
            tags = _tags(self.if_match)
            if version is None or ("*" not in tags and version not in tags):
                raise PreconditionFailed("the file has changed (If-Match does not hold)")
        if self.if_none_match is not None:
            tags = _tags(self.if_none_match)
            if version is not None and ("*" in tags or version in tags):
                raise PreconditionFailed("the file exists (If-None-Match does not hold)")


def _tags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()}


@dataclass(frozen=True)
class Download:
    """An open file version: what to stream, and what to say about it."""

    info: dict[str, Any]
    manifest: Manifest
    keys: PodKeys
    etag: str
    content_type: str
    size: int
    modified: float  # epoch seconds


@dataclass(frozen=True)
class DeclaredChunk:
    """One chunk of a resumable upload's declared list."""

    size: int
    hash: bytes  # plain BLAKE3 of the chunk


# checksum algorithms an append stream verifies its pieces with
APPEND_CHECKSUMS = ("sha1", "md5", "sha256", "sha512")


@dataclass(frozen=True)
class AppendState:
    """An upload fed by appends at an offset (what tus and similar protocols drive)."""

    id: str
    offset: int
    length: int
    metadata: str | None
    expires_at: float  # epoch seconds
    done: bool
    result: dict[str, Any] | None = None


# ---- sharing, accounts and social: grants, links, groups, offers, users, messages, events


# ---- kv tables and document collections -------------------------------------------------


@dataclass(frozen=True, slots=True)
class KvTableInfo:
    name: str
    index_type: str  # "string" or "number"
    count: int
    columns: list[str] | None  # the header row of the last CSV import
    created_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class KvEntry:
    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class KvPage:
    entries: list[KvEntry]
    next: str | None  # a cursor to continue, None at the end


@dataclass(frozen=True, slots=True)
class LineError:
    line: int  # 1-based line of the imported file
    error: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    total: int
    loaded: int
    failed: int
    errors: list[LineError]  # the first ones, in line order


@dataclass(frozen=True, slots=True)
class CollectionInfo:
    name: str
    indexes: list[dict[str, str]]  # [{"field", "type"}]
    count: int
    created_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class DocStored:
    id: str
    created: bool  # False when it replaced a document of the same id


@dataclass(frozen=True, slots=True)
class DocPage:
    docs: list[dict[str, Any]]  # the documents as stored
    next: str | None
