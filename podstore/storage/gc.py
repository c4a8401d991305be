"""Garbage collection and consistency checks over a blob store.

The metadata store knows which blobs are referenced (chunks with a refcount above zero);
these functions take that set and act on the blob store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Container, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from podstore.storage import frame
from podstore.storage.blobstore import BlobStore
from podstore.storage.erasure import ErasureBlobStore
from podstore.storage.errors import BlobNotFound, StorageError
from podstore.storage.local import LocalBlobStore
from podstore.storage.wrappers import unwrap

log = logging.getLogger(__name__)

DEFAULT_GRACE_SECONDS = 24 * 3600.0


@dataclass
class GcReport:
    scanned: int = 0
    referenced: int = 0
    young: int = 0  # unreferenced but inside the grace period: kept
    deleted: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    errors: list[str] = field(default_factory=list)
    temp_files_removed: int = 0


def collect_garbage(
    blobs: BlobStore,
    referenced: Container[str],
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    *,
    now: float | None = None,
    dry_run: bool = False,
) -> GcReport:
    """Delete every blob not in `referenced` whose mtime is older than the grace period.

    The grace period protects chunks of uploads still in flight (written, not yet committed
    to metadata); the engine touches a reused chunk so an old blob gets a new grace period.
    """
    report = GcReport()
    cutoff = (time.time() if now is None else now) - grace_seconds
    for name in blobs.list():
        report.scanned += 1
        if name in referenced:
            report.referenced += 1
            continue
        try:
            info = blobs.stat(name)
        except BlobNotFound:
            info = None  # listed but unreadable: an erasure remnant without a valid fragment
        except StorageError as exc:
            report.errors.append(f"{name}: {exc}")
            continue
        if info is not None and info.mtime > cutoff:
            report.young += 1
            continue
        if not dry_run:
            try:
                blobs.delete(name)
            except StorageError as exc:
                report.errors.append(f"{name}: {exc}")
                continue
        report.deleted.append(name)
        report.freed_bytes += info.size if info is not None else 0
    if not dry_run:
        for store in _leaves(blobs):
            if isinstance(store, LocalBlobStore):
                report.temp_files_removed += store.clean_temp(max(grace_seconds, 3600.0))
    return report


def _leaves(blobs: BlobStore) -> list[BlobStore]:
    stores: list[BlobStore] = []
    for store in unwrap(blobs):
        stores.append(store)
        if isinstance(store, ErasureBlobStore):
            for child in store.children:
                stores.extend(_leaves(child))
    return stores


@dataclass
class FsckReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)  # referenced, gone (unrecoverable)
    corrupt: list[str] = field(default_factory=list)  # referenced, fails its checksum
    repaired: list[str] = field(default_factory=list)  # damaged fragments rewritten
    degraded: list[str] = field(default_factory=list)  # readable, damage left in place
    errors: list[str] = field(default_factory=list)  # could not be checked (backend down)

    @property
    def ok(self) -> bool:
        """False when damage remains that this run did not repair."""
        return not (self.missing or self.corrupt or self.degraded or self.errors)


def _erasure_store(blobs: BlobStore) -> ErasureBlobStore | None:
    for store in unwrap(blobs):
        if isinstance(store, ErasureBlobStore):
            return store
    return None


def fsck(
    blobs: BlobStore, referenced: Iterable[str], repair: bool = True, *, workers: int = 4
) -> FsckReport:
    """Check that every referenced blob exists and its frame checksum verifies.

    On an erasure-coded store every fragment is checked too, and damaged fragments are
    rebuilt from parity when `repair` is set.
    """
    report = FsckReport()
    erasure = _erasure_store(blobs)

    def check(name: str) -> tuple[str, str]:
        try:
            if erasure is not None:
                result = erasure.scrub(name, heal=repair)
                if result.data is None:
                    if result.unavailable:
                        return name, "error"
                    return name, "missing" if len(result.missing) == erasure.n else "corrupt"
                if not frame.checksum_ok(result.data):
                    return name, "corrupt"
                if not result.damaged:
                    return name, "ok"
                return name, "repaired" if len(result.healed) == len(result.damaged) else "degraded"
            data = blobs.get(name)
        except BlobNotFound:
            return name, "missing"
        except StorageError as exc:
            log.warning("fsck: %s: %s", name, exc)
            return name, "error"
        return name, "ok" if frame.checksum_ok(data) else "corrupt"

    with ThreadPoolExecutor(workers) as pool:
        for name, status in pool.map(check, dict.fromkeys(referenced)):
            report.checked += 1
            if status != "ok":
                {
                    "missing": report.missing,
                    "corrupt": report.corrupt,
                    "repaired": report.repaired,
                    "degraded": report.degraded,
                    "error": report.errors,
                }[status].append(name)
    return report
