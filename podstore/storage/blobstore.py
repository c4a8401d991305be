"""The one interface every blob backend implements (local, s3, erasure, memory).

CONTRACT: names are validated by `validate_name` in every implementation; `put` is atomic
and idempotent; `get` of a missing name raises BlobNotFound. Methods are synchronous and
thread-safe; the engine calls them from a thread pool.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class BlobInfo:
    name: str
    size: int
    mtime: float  # seconds since the epoch when the blob was written


class BlobStore(ABC):
    @abstractmethod
    def put(self, name: str, data: bytes) -> None: ...

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

    def close(self) -> None:  # noqa: B027 - optional hook
        pass
