"""A blob store in a dict, for unit tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from podstore.storage.blobstore import BlobInfo, BlobStore, Buffer, check_range, validate_name
from podstore.storage.errors import BlobNotFound


class MemoryBlobStore(BlobStore):
    def __init__(self) -> None:
        self._blobs: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def _item(self, name: str) -> tuple[bytes, float]:
        validate_name(name)
        with self._lock:
            item = self._blobs.get(name)
        if item is None:
            raise BlobNotFound(name)
        return item

    def put(self, name: str, data: Buffer) -> None:
        validate_name(name)
        data = bytes(data)
        with self._lock:
            self._blobs[name] = (data, time.time())

    def get(self, name: str) -> bytes:
        return self._item(name)[0]

    def get_range(self, name: str, offset: int, length: int) -> bytes:
        check_range(offset, length)
        return self._item(name)[0][offset : offset + length]

    def exists(self, name: str) -> bool:
        validate_name(name)
        with self._lock:
            return name in self._blobs

    def delete(self, name: str) -> None:
        validate_name(name)
        with self._lock:
            self._blobs.pop(name, None)

    def list(self, prefix: str = "") -> Iterator[str]:
        with self._lock:
            names = sorted(n for n in self._blobs if n.startswith(prefix))
        return iter(names)

    def stat(self, name: str) -> BlobInfo:
        data, mtime = self._item(name)
        return BlobInfo(name, len(data), mtime)

    def touch(self, name: str) -> None:
        self.set_mtime(name, time.time())

    def set_mtime(self, name: str, mtime: float) -> None:
        data, _ = self._item(name)
        with self._lock:
            self._blobs[name] = (data, mtime)
