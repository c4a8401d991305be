"""The one interface every blob backend implements (local, s3, erasure, memory).

CONTRACT: names are validated by `validate_name` in every implementation; `put` is atomic
and idempotent, takes any bytes-like object and keeps no reference to it; `get` of a missing
name raises BlobNotFound; `delete` of a missing name is a no-op; `get_range` past the end
returns the bytes that exist (possibly none). Methods are synchronous and thread-safe; the
engine calls them from a thread pool.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from podstore.storage.errors import InvalidName

Buffer = bytes | bytearray | memoryview  # what `put` accepts; it must not keep a reference
MAX_NAME_LENGTH = 255
_SEGMENT = r"[0-9a-z_-][0-9a-z._-]{0,127}"
_NAME = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")


def validate_name(name: str) -> str:
    """Return `name` if it is a valid blob name, else raise InvalidName.

    Valid: lowercase `[0-9a-z._-]` segments joined by `/`, no empty segment, no segment
    starting with a dot (so no `.`, `..` or hidden files), at most 255 characters.
    """
    if (
        not isinstance(name, str)
        or not 0 < len(name) <= MAX_NAME_LENGTH
        or _NAME.fullmatch(name) is None
    ):
        raise InvalidName(f"invalid blob name {name!r}")
    return name


@dataclass(frozen=True)
class BlobInfo:
    name: str
    size: int
    mtime: float  # seconds since the epoch when the blob was written


class BlobStore(ABC):
    @abstractmethod
    def put(self, name: str, data: Buffer) -> None: ...

    @abstractmethod
    def get(self, name: str) -> bytes: ...

    @abstractmethod
    def get_range(self, name: str, offset: int, length: int) -> bytes: ...

    @abstractmethod
    def exists(self, name: str) -> bool: ...

    @abstractmethod
    def delete(self, name: str) -> None: ...

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[str]: ...

    @abstractmethod
    def stat(self, name: str) -> BlobInfo: ...

    def get_in_thread_buffer(self, name: str, *, once: bool = False) -> Buffer:
        """`get`, where the store can, into this thread's reused `buffers.SEALED` buffer
        (returned writable): valid until the thread next uses that buffer. For data the
        caller reads, may overwrite, and drops. `once`: the blob is one of a long stream the
        caller reads through, so a store may leave it out of any cache it keeps."""
        return self.get(name)

    def touch(self, name: str) -> None:
        """Set the blob's mtime to now, so garbage collection sees it as young again."""
        self.put(name, self.get(name))

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


def check_range(offset: int, length: int) -> None:
    if offset < 0 or length < 0:
        raise ValueError("offset and length must be >= 0")
