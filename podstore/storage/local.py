"""Blobs as files in sharded directories under one root.

A blob `abcdef...` lives at `<root>/ab/cd/abcdef...`; names not starting with four hex
digits are sharded by the BLAKE3 of the name instead, and `/` in a name is stored as `+`.
A put writes a temp file `.tmp-*` in the target directory, fsyncs it, renames it over the
final name and fsyncs the directory, so a blob is either complete or absent after a crash.
Leftover temp files are skipped by `list` and removed by `clean_temp`.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import blake3

from podstore.storage.blobstore import BlobInfo, BlobStore, Buffer, check_range, validate_name
from podstore.storage.errors import BackendUnavailable, BlobNotFound, StorageError

_HEX4 = re.compile(r"[0-9a-f]{4}")
_TMP = ".tmp-"


def _shard(name: str) -> tuple[str, str]:
    key = name[:4] if _HEX4.match(name) else blake3.blake3(name.encode()).hexdigest()[:4]
    return key[:2], key[2:4]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore(BlobStore):
    def __init__(self, root: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self.root = Path(root)
        self.fsync = fsync
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, name: str) -> Path:
        validate_name(name)
        a, b = _shard(name)
        return self.root / a / b / name.replace("/", "+")

    def _ensure_dir(self, directory: Path) -> None:
        if directory.is_dir():
            return
        created: list[Path] = []
        for parent in (self.root, directory.parent, directory):
            if not parent.is_dir():
                with contextlib.suppress(FileExistsError):
                    parent.mkdir(parents=True)
                created.append(parent)
        if self.fsync:
            for path in created:
                _fsync_dir(path.parent)

    def put(self, name: str, data: Buffer) -> None:
        path = self.path(name)
        try:
            self._ensure_dir(path.parent)
            tmp = path.parent / f"{_TMP}{uuid.uuid4().hex}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if self.fsync:
                    os.fsync(fd)
            except BaseException:
                os.close(fd)
                tmp.unlink(missing_ok=True)
                raise
            os.close(fd)
            os.replace(tmp, path)
            if self.fsync:
                _fsync_dir(path.parent)
        except OSError as exc:
            raise BackendUnavailable(f"cannot write {name}: {exc}") from exc

    def _open(self, name: str) -> int:
        try:
            return os.open(self.path(name), os.O_RDONLY)
        except FileNotFoundError:
            raise BlobNotFound(name) from None
        except OSError as exc:
            raise BackendUnavailable(f"cannot read {name}: {exc}") from exc

    def get(self, name: str) -> bytes:
        fd = self._open(name)
        try:
            size = os.fstat(fd).st_size
            parts = []
            while size > 0:
                part = os.read(fd, size)
                if not part:
                    break
                parts.append(part)
                size -= len(part)
            return parts[0] if len(parts) == 1 else b"".join(parts)
        except OSError as exc:
            raise BackendUnavailable(f"cannot read {name}: {exc}") from exc
        finally:
            os.close(fd)

    def get_range(self, name: str, offset: int, length: int) -> bytes:
        check_range(offset, length)
        fd = self._open(name)
        try:
            return os.pread(fd, length, offset) if length else b""
        except OSError as exc:
            raise BackendUnavailable(f"cannot read {name}: {exc}") from exc
        finally:
            os.close(fd)

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def delete(self, name: str) -> None:
        try:
            self.path(name).unlink(missing_ok=True)
        except OSError as exc:
            raise BackendUnavailable(f"cannot delete {name}: {exc}") from exc

    def _shard_dirs(self, prefix: str) -> Iterator[Path]:
        if _HEX4.match(prefix):
            yield self.root / prefix[:2] / prefix[2:4]
            return
        try:
            tops = sorted(os.listdir(self.root))
        except FileNotFoundError:
            return  # an emptied or replaced store
        except OSError as exc:
            raise BackendUnavailable(f"cannot list {self.root}: {exc}") from exc
        for a in tops:
            top = self.root / a
            if len(a) == 2 and top.is_dir():
                for b in sorted(os.listdir(top)):
                    if len(b) == 2:
                        yield top / b

    def _entries(self, prefix: str = "") -> Iterator[os.DirEntry[str]]:
        for directory in self._shard_dirs(prefix):
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except (FileNotFoundError, NotADirectoryError):
                continue
            yield from entries

    def list(self, prefix: str = "") -> Iterator[str]:
        for entry in self._entries(prefix):
            if entry.name.startswith("."):
                continue
            name = entry.name.replace("+", "/")
            if name.startswith(prefix):
                yield name

    def stat(self, name: str) -> BlobInfo:
        try:
            st = self.path(name).stat()
        except FileNotFoundError:
            raise BlobNotFound(name) from None
        except OSError as exc:
            raise StorageError(f"cannot stat {name}: {exc}") from exc
        return BlobInfo(name, st.st_size, st.st_mtime)

    def touch(self, name: str) -> None:
        try:
            os.utime(self.path(name))
        except FileNotFoundError:
            raise BlobNotFound(name) from None

    def clean_temp(self, older_than: float = 3600.0) -> int:
        """Remove temp files of interrupted puts older than `older_than` seconds."""
        removed = 0
        cutoff = time.time() - older_than
        for entry in self._entries():
            if entry.name.startswith(_TMP):
                with contextlib.suppress(FileNotFoundError):
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed += 1
        return removed
