"""Erasure coding over n = k + m child stores: any k valid fragments rebuild a blob.

Fragment i of blob `name` is stored in child i under the same name, with a 64-byte header:

    magic "PSEF" | version u8 | index u8 | k u8 | m u8 | blob size u64 | blob digest 16 B
    | checksum 32 B = BLAKE3(name, header fields, fragment)

A fragment that is absent, does not verify, or belongs to another write of the name
(digest differs from the majority) counts as missing. Reads heal the fragments they found
bad by writing them back; `scrub` checks all n fragments of one blob; `repair(i)` rebuilds
every fragment child i lacks (a replaced or emptied store).
"""

from __future__ import annotations

import contextlib
import logging
import struct
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import blake3
import pyeclib.ec_iface

from podstore.storage.blobstore import BlobInfo, BlobStore, Buffer, check_range, validate_name
from podstore.storage.errors import BackendUnavailable, BlobNotFound, CorruptData, StorageError

log = logging.getLogger(__name__)

_MAGIC = b"PSEF"
_VERSION = 1
_PREFIX = struct.Struct(">4sBBBBQ16s")
HEADER_SIZE = _PREFIX.size + 32
EC_TYPES = ("isa_l_rs_cauchy", "isa_l_rs_vand", "liberasurecode_rs_vand")

OK, MISSING, CORRUPT, UNAVAILABLE = "ok", "missing", "corrupt", "unavailable"


def make_driver(k: int, m: int, ec_type: str | None = None) -> tuple[Any, str]:
    errors = []
    for candidate in (ec_type,) if ec_type else EC_TYPES:
        try:
            return pyeclib.ec_iface.ECDriver(k=k, m=m, ec_type=candidate), candidate
        except Exception as exc:  # pyeclib raises its own hierarchy per backend
            errors.append(f"{candidate}: {exc}")
    raise StorageError("no erasure-code backend available: " + "; ".join(errors))


@dataclass(frozen=True)
class _Fragment:
    index: int
    size: int
    digest: bytes
    payload: bytes


@dataclass
class ScrubResult:
    name: str
    data: bytes | None  # None when fewer than k fragments are valid
    missing: list[int] = field(default_factory=list)
    corrupt: list[int] = field(default_factory=list)
    unavailable: list[int] = field(default_factory=list)
    healed: list[int] = field(default_factory=list)

    @property
    def damaged(self) -> list[int]:
        return sorted(self.missing + self.corrupt)


@dataclass
class RepairReport:
    child: int
    checked: int = 0
    rebuilt: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


class ErasureBlobStore(BlobStore):
    def __init__(
        self,
        children: Sequence[BlobStore],
        k: int,
        m: int,
        *,
        ec_type: str | None = None,
        write_quorum: int | None = None,
        heal: bool = True,
    ) -> None:
        if k < 1 or m < 0 or len(children) != k + m:
            raise ValueError(f"need k + m = {k + m} children, got {len(children)}")
        self.children = list(children)
        self.k, self.m, self.n = k, m, k + m
        self.write_quorum = self.n if write_quorum is None else write_quorum
        if not k <= self.write_quorum <= self.n:
            raise ValueError("write_quorum must be between k and k + m")
        self.heal = heal
        self._driver, self.ec_type = make_driver(k, m, ec_type)
        self._io = ThreadPoolExecutor(2 * self.n, thread_name_prefix="podstore-ec")

    # -- fragments -----------------------------------------------------------------------

    def _checksum(self, name: str, prefix: bytes, payload: bytes) -> bytes:
        hasher = blake3.blake3(name.encode())
        hasher.update(prefix)
        hasher.update(payload)
        return hasher.digest()

    def _encode(self, name: str, data: Buffer) -> list[bytes]:
        digest = blake3.blake3(data).digest(16)
        payloads = self._driver.encode(bytes(data) or b"\0")
        framed = []
        for index, payload in enumerate(payloads):
            prefix = _PREFIX.pack(_MAGIC, _VERSION, index, self.k, self.m, len(data), digest)
            framed.append(b"".join((prefix, self._checksum(name, prefix, payload), payload)))
        return framed

    def _parse(self, name: str, index: int, raw: bytes) -> _Fragment | None:
        if len(raw) < HEADER_SIZE:
            return None
        magic, version, idx, k, m, size, digest = _PREFIX.unpack_from(raw)
        if (magic, version, idx, k, m) != (_MAGIC, _VERSION, index, self.k, self.m):
            return None
        payload = raw[HEADER_SIZE:]
        if self._checksum(name, raw[: _PREFIX.size], payload) != raw[_PREFIX.size : HEADER_SIZE]:
            return None
        return _Fragment(index, size, digest, payload)

    def _fetch(self, name: str, index: int) -> tuple[str, _Fragment | None]:
        try:
            raw = self.children[index].get(name)
        except BlobNotFound:
            return MISSING, None
        except StorageError as exc:
            log.warning("erasure child %d: get %s failed: %s", index, name, exc)
            return UNAVAILABLE, None
        fragment = self._parse(name, index, raw)
        return (OK, fragment) if fragment is not None else (CORRUPT, None)

    def _fetch_many(self, name: str, indices: Sequence[int]) -> list[tuple[str, _Fragment | None]]:
        return list(self._io.map(lambda i: self._fetch(name, i), indices))

    def _decode(self, result: ScrubResult, frags: dict[int, _Fragment]) -> bytes | None:
        """Decode from the largest group of agreeing fragments; the others count as corrupt."""
        if len(frags) < self.k:
            return None
        votes = Counter((f.size, f.digest) for f in frags.values())
        (size, digest), count = votes.most_common(1)[0]
        for index, frag in list(frags.items()):
            if (frag.size, frag.digest) != (size, digest):
                result.corrupt.append(index)
                del frags[index]
        if count < self.k:
            return None
        chosen = [frags[i].payload for i in sorted(frags)[: self.k]]
        try:
            data = bytes(self._driver.decode(chosen))[:size]
        except Exception as exc:  # pyeclib's own error types
            log.warning("erasure decode of %s failed: %s", result.name, exc)
            return None
        if blake3.blake3(data).digest(16) != digest:
            return None
        return data

    def _write_back(self, name: str, data: bytes, indices: Sequence[int]) -> list[int]:
        if not indices:
            return []
        framed = self._encode(name, data)

        def put(index: int) -> int | None:
            try:
                self.children[index].put(name, framed[index])
            except StorageError as exc:
                log.warning("erasure child %d: heal of %s failed: %s", index, name, exc)
                return None
            return index

        return [i for i in self._io.map(put, indices) if i is not None]

    def _read(self, name: str, *, full: bool, heal: bool) -> ScrubResult:
        validate_name(name)
        result = ScrubResult(name, None)
        frags: dict[int, _Fragment] = {}
        first = range(self.n) if full else range(self.k)
        todo = [i for i in range(self.n) if i not in first]
        for batch in (first, todo):
            for index, (status, frag) in zip(batch, self._fetch_many(name, batch), strict=True):
                if frag is not None:
                    frags[index] = frag
                else:
                    {MISSING: result.missing, CORRUPT: result.corrupt}.get(
                        status, result.unavailable
                    ).append(index)
            if len(frags) >= self.k and not result.corrupt and not result.missing:
                break
        result.data = self._decode(result, frags)
        if result.data is not None and heal:
            result.healed = self._write_back(name, result.data, result.damaged)
        return result

    # -- BlobStore -----------------------------------------------------------------------

    def put(self, name: str, data: Buffer) -> None:
        validate_name(name)
        framed = self._encode(name, data)

        def put(index: int) -> StorageError | None:
            try:
                self.children[index].put(name, framed[index])
            except StorageError as exc:
                return exc
            return None

        errors = [e for e in self._io.map(put, range(self.n)) if e is not None]
        if self.n - len(errors) < self.write_quorum:
            raise BackendUnavailable(
                f"{name}: only {self.n - len(errors)} of {self.n} fragments written "
                f"(need {self.write_quorum}): {errors[0]}"
            )

    def get(self, name: str) -> bytes:
        result = self._read(name, full=False, heal=self.heal)
        if result.data is not None:
            return result.data
        if len(result.missing) == self.n:
            raise BlobNotFound(name)
        if result.unavailable:
            raise BackendUnavailable(
                f"{name}: fewer than {self.k} fragments readable, children "
                f"{result.unavailable} unavailable"
            )
        raise CorruptData(f"{name}: fewer than {self.k} valid fragments")

    def get_range(self, name: str, offset: int, length: int) -> bytes:
        check_range(offset, length)
        return self.get(name)[offset : offset + length]

    def scrub(self, name: str, heal: bool = True) -> ScrubResult:
        """Check all n fragments of a blob, rewrite the damaged ones if `heal`."""
        return self._read(name, full=True, heal=heal)

    def exists(self, name: str) -> bool:
        validate_name(name)

        def has(index: int) -> bool:
            try:
                return self.children[index].exists(name)
            except StorageError:
                return False

        return sum(self._io.map(has, range(self.n))) >= self.k

    def delete(self, name: str) -> None:
        validate_name(name)

        def delete(index: int) -> StorageError | None:
            try:
                self.children[index].delete(name)
            except StorageError as exc:
                return exc
            return None

        errors = [e for e in self._io.map(delete, range(self.n)) if e is not None]
        if errors:
            raise BackendUnavailable(f"{name}: delete failed on {len(errors)} children")

    def _names(self, children: Sequence[int], prefix: str) -> set[str]:
        names: set[str] = set()
        for index in children:
            try:
                names.update(self.children[index].list(prefix))
            except StorageError as exc:
                log.warning("erasure child %d: list failed: %s", index, exc)
        return names

    def list(self, prefix: str = "") -> Iterator[str]:
        """Every name with at least one fragment (so GC also sees partial writes)."""
        return iter(sorted(self._names(range(self.n), prefix)))

    def stat(self, name: str) -> BlobInfo:
        """Size from any fragment header that parses; mtime of the newest such fragment."""
        validate_name(name)

        def one(index: int) -> BlobInfo | None:
            child = self.children[index]
            try:
                info = child.stat(name)
                raw = child.get_range(name, 0, _PREFIX.size)
            except StorageError:
                return None
            if len(raw) != _PREFIX.size:
                return None
            magic, version, idx, k, m, size, _ = _PREFIX.unpack(raw)
            if (magic, version, idx, k, m) != (_MAGIC, _VERSION, index, self.k, self.m):
                return None
            return BlobInfo(name, size, info.mtime)

        found = [info for info in self._io.map(one, range(self.n)) if info is not None]
        if not found:
            raise BlobNotFound(name)
        return max(found, key=lambda info: info.mtime)

    def touch(self, name: str) -> None:
        validate_name(name)
        for child in self.children:
            with contextlib.suppress(StorageError):
                child.touch(name)

    def repair(self, child: int, *, verify: bool = False) -> RepairReport:
        """Rebuild every fragment child `child` lacks (or, with `verify`, holds damaged)."""
        report = RepairReport(child)
        others = [i for i in range(self.n) if i != child]
        for name in sorted(self._names(others, "")):
            report.checked += 1
            if verify:
                present = self._fetch(name, child)[0] == OK
            else:
                try:
                    present = self.children[child].exists(name)
                except StorageError:
                    present = False
            if present:
                continue
            result = self._read(name, full=False, heal=False)
            if result.data is None:
                report.lost.append(name)
                continue
            if self._write_back(name, result.data, [child]):
                report.rebuilt.append(name)
            else:
                report.lost.append(name)
        return report

    def close(self) -> None:
        self._io.shutdown()
        for child in self.children:
            child.close()
