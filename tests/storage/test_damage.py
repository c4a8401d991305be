"""Tampering, lost stores, injected faults: damage is reported or healed, never returned."""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from podstore.storage import frame
from podstore.storage.engine import ChunkEngine
from podstore.storage.erasure import ErasureBlobStore
from podstore.storage.errors import BackendUnavailable, CorruptData, StorageError
from podstore.storage.gc import collect_garbage, fsck
from podstore.storage.local import LocalBlobStore
from podstore.storage.manifest import Manifest
from podstore.storage.memory import MemoryBlobStore
from podstore.storage.wrappers import FaultyBlobStore, RetryingBlobStore
from tests.storage.conftest import collect, erasure_local, new_keys, pieces, run

Factory = Callable[..., ChunkEngine]
DATA = random.Random(2).randbytes(200_000)


async def read_until_error(stream) -> tuple[bytes, BaseException | None]:  # type: ignore[no-untyped-def]
    got = bytearray()
    try:
        async for part in stream:
            got += part
    except StorageError as exc:
        return bytes(got), exc
    return bytes(got), None


def flip(path: Path, pos: int | None = None) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2 if pos is None else pos] ^= 0x10
    path.write_bytes(bytes(raw))


def test_flipped_byte_on_plain_store_fails_loudly(tmp_path: Path, engine_factory: Factory) -> None:
    blobs = LocalBlobStore(tmp_path)
    engine = engine_factory(blobs)
    keys = new_keys()
    manifest = run(engine.write(pieces(DATA), keys)).manifest
    victim = manifest.chunks[len(manifest.chunks) // 2]
    flip(blobs.path(victim.name))
    got, error = run(read_until_error(engine.read(manifest, keys)))
    assert isinstance(error, CorruptData)
    assert got == DATA[: len(got)] and len(got) <= victim.offset
    with pytest.raises(CorruptData):
        run(collect(engine.read(manifest, keys, victim.offset + 5, victim.offset + 6)))
    report = fsck(blobs, manifest.chunk_names)
    assert (
        not report.ok and report.corrupt == [victim.name] and report.checked == len(manifest.chunks)
    )


@pytest.mark.parametrize("region", ["header", "body", "tag"])
def test_tampered_frame_regions(tmp_path: Path, engine_factory: Factory, region: str) -> None:
    blobs = LocalBlobStore(tmp_path)
    engine = engine_factory(blobs)
    keys = new_keys()
    manifest = run(engine.write(pieces(DATA), keys)).manifest
    path = blobs.path(manifest.chunks[0].name)
    size = path.stat().st_size
    flip(path, {"header": 6, "body": frame.HEADER_SIZE + 3, "tag": size - 2}[region])
    with pytest.raises(CorruptData):
        run(collect(engine.read(manifest, keys)))


def test_erasure_store_heals_a_flipped_fragment(tmp_path: Path, engine_factory: Factory) -> None:
    blobs = erasure_local(tmp_path)
    engine = engine_factory(blobs)
    keys = new_keys()
    manifest = run(engine.write(pieces(DATA), keys)).manifest
    child0 = blobs.children[0]
    assert isinstance(child0, LocalBlobStore)
    victim = manifest.chunks[1].name
    flip(child0.path(victim))
    assert run(collect(engine.read(manifest, keys))) == DATA
    after = fsck(blobs, manifest.chunk_names, repair=False)
    assert after.ok and after.degraded == [] and after.repaired == []


def test_erasure_tolerates_m_bad_fragments_not_more(tmp_path: Path) -> None:
    blobs = erasure_local(tmp_path)
    blobs.heal = False
    data = os.urandom(300_000)
    blobs.put("blob", data)
    paths = [c.path("blob") for c in blobs.children]  # type: ignore[attr-defined]
    flip(paths[0])
    flip(paths[3])
    assert blobs.get("blob") == data
    flip(paths[5])
    with pytest.raises(CorruptData):
        blobs.get("blob")


def test_fsck_repairs_fragments_from_parity(tmp_path: Path) -> None:
    blobs = erasure_local(tmp_path)
    sealed = frame.seal(os.urandom(50_000), frame.AESGCM(os.urandom(32)), bytes(32))
    names = [f"{i:064x}" for i in range(5)]
    for name in names:
        blobs.put(name, sealed)
    flip(blobs.children[2].path(names[0]))  # type: ignore[attr-defined]
    blobs.children[4].delete(names[1])
    check = fsck(blobs, names, repair=False)
    assert not check.ok and sorted(check.degraded) == names[:2]
    fixed = fsck(blobs, names, repair=True)
    assert fixed.ok and sorted(fixed.repaired) == names[:2]
    again = fsck(blobs, names, repair=False)
    assert again.ok and again.repaired == [] and again.degraded == []


def test_store_loss_and_repair(tmp_path: Path, engine_factory: Factory) -> None:
    blobs = erasure_local(tmp_path)
    engine = engine_factory(blobs)
    keys = new_keys()
    manifest = run(engine.write(pieces(DATA), keys)).manifest
    names = manifest.chunk_names
    for lost in (1, 4):
        shutil.rmtree(tmp_path / f"c{lost}")
    blobs.heal = False
    fresh = engine_factory(blobs)
    assert run(collect(fresh.read(manifest, keys))) == DATA
    degraded = fsck(blobs, names, repair=False)
    assert not degraded.ok and sorted(degraded.degraded) == sorted(set(names))
    for lost in (1, 4):
        report = blobs.repair(lost)
        assert sorted(report.rebuilt) == sorted(set(names)) and report.lost == []
    check = fsck(blobs, names, repair=False)
    assert check.ok and check.degraded == []
    for other in (0, 5):  # full redundancy is back: two other stores may now go
        shutil.rmtree(tmp_path / f"c{other}")
    assert run(collect(engine_factory(blobs).read(manifest, keys))) == DATA


def test_unreachable_children_still_read(tmp_path: Path) -> None:
    children = [FaultyBlobStore(LocalBlobStore(tmp_path / f"c{i}")) for i in range(6)]
    blobs = ErasureBlobStore(children, 4, 2)
    data = os.urandom(123_457)
    blobs.put("blob", data)
    for child in (children[0], children[2]):
        child.fail("*", kind="error", repeat=True)
    assert blobs.get("blob") == data
    assert blobs.get_range("blob", 1000, 10) == data[1000:1010]
    children[5].fail("*", kind="error", repeat=True)
    with pytest.raises(BackendUnavailable):
        blobs.get("blob")
    with pytest.raises(BackendUnavailable):
        blobs.put("other", b"x")  # below the write quorum


def test_more_than_m_lost_is_reported(tmp_path: Path) -> None:
    blobs = erasure_local(tmp_path)
    blobs.put("0" * 64, frame.seal(b"x" * 1000, frame.AESGCM(os.urandom(32)), bytes(32)))
    for lost in (0, 1, 2):
        shutil.rmtree(tmp_path / f"c{lost}")
    report = fsck(blobs, ["0" * 64])
    assert not report.ok and report.corrupt == ["0" * 64]
    for lost in (3, 4, 5):
        shutil.rmtree(tmp_path / f"c{lost}")
    report = fsck(blobs, ["0" * 64])
    assert not report.ok and report.missing == ["0" * 64]


# -- fault injection -------------------------------------------------------------------


def _all_blobs_verify(blobs: MemoryBlobStore) -> bool:
    return all(frame.checksum_ok(blobs.get(n)) for n in blobs.list())


@pytest.mark.parametrize("nth", [1, 3, 7])
def test_failed_put_surfaces_and_keeps_old_data(engine_factory: Factory, nth: int) -> None:
    inner = MemoryBlobStore()
    blobs = FaultyBlobStore(inner)
    engine = engine_factory(blobs)
    keys = new_keys()
    old = run(engine.write(pieces(DATA[:100_000]), keys)).manifest
    blobs.fail("put", nth)
    with pytest.raises(BackendUnavailable):
        run(engine.write(pieces(os.urandom(200_000)), keys))
    assert _all_blobs_verify(inner)
    assert run(collect(engine.read(old, keys))) == DATA[:100_000]
    assert fsck(inner, old.chunk_names).ok


def test_failed_get_surfaces_then_succeeds(engine_factory: Factory) -> None:
    blobs = FaultyBlobStore(MemoryBlobStore())
    engine = engine_factory(blobs)
    keys = new_keys()
    manifest = run(engine.write(pieces(DATA), keys)).manifest
    blobs.fail("get", 4)
    got, error = run(read_until_error(engine.read(manifest, keys)))
    assert isinstance(error, BackendUnavailable) and got == DATA[: len(got)] and got != DATA
    assert run(collect(engine.read(manifest, keys))) == DATA


def test_corrupted_read_is_never_data(engine_factory: Factory) -> None:
    blobs = FaultyBlobStore(MemoryBlobStore())
    engine = engine_factory(blobs)
    keys = new_keys()
    manifest = run(engine.write(pieces(DATA), keys)).manifest
    blobs.fail("get", 2, kind="flip")
    got, error = run(read_until_error(engine.read(manifest, keys)))
    assert isinstance(error, CorruptData) and got == DATA[: len(got)] and got != DATA


def test_retry_wrapper_hides_transient_failures(engine_factory: Factory) -> None:
    faulty = FaultyBlobStore(MemoryBlobStore())
    engine = engine_factory(RetryingBlobStore(faulty, base_delay=0.001))
    keys = new_keys()
    faulty.fail("put", 2)
    faulty.fail("get", 3)
    manifest = run(engine.write(pieces(DATA), keys)).manifest
    assert run(collect(engine.read(manifest, keys))) == DATA
    faulty.fail("get", 1, repeat=True)
    with pytest.raises(BackendUnavailable):
        run(collect(engine.read(manifest, keys)))
    assert faulty.calls["get"] >= 4  # retried before giving up


def test_torn_write_is_detected_and_rewritten(engine_factory: Factory) -> None:
    inner = MemoryBlobStore()
    blobs = FaultyBlobStore(inner)
    keys = new_keys()
    blobs.fail("put", 2, kind="torn")
    with pytest.raises(BackendUnavailable):
        run(engine_factory(blobs).write(pieces(DATA), keys))
    torn = [n for n in inner.list() if not frame.checksum_ok(inner.get(n))]
    assert len(torn) == 1
    manifest = run(engine_factory(blobs).write(pieces(DATA), keys)).manifest
    assert torn[0] in manifest.chunk_names
    assert run(collect(engine_factory(blobs).read(manifest, keys))) == DATA
    assert _all_blobs_verify(inner)
    assert fsck(inner, manifest.chunk_names).ok


def test_local_put_interrupted_leaves_no_blob(tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    blobs.put("abcd01", b"old")
    target = blobs.path("abcd01")
    stale = target.parent / ".tmp-crashed"
    stale.write_bytes(b"half a blob")
    assert list(blobs.list()) == ["abcd01"]
    assert blobs.get("abcd01") == b"old"
    assert blobs.clean_temp(older_than=3600) == 0
    old = time.time() - 7200
    os.utime(stale, (old, old))
    assert blobs.clean_temp(older_than=3600) == 1
    assert not stale.exists() and blobs.get("abcd01") == b"old"


# -- garbage collection ----------------------------------------------------------------


def test_gc_frees_unreferenced_after_grace(engine_factory: Factory) -> None:
    blobs = MemoryBlobStore()
    engine = engine_factory(blobs)
    keys = new_keys()
    kept = run(engine.write(pieces(DATA), keys)).manifest
    dropped = run(engine.write(pieces(os.urandom(100_000)), keys)).manifest
    referenced = set(kept.chunk_names)
    young = collect_garbage(blobs, referenced, grace_seconds=3600)
    assert young.deleted == [] and young.young == len(dropped.chunks)
    later = collect_garbage(blobs, referenced, grace_seconds=3600, now=time.time() + 7200)
    assert sorted(later.deleted) == sorted(dropped.chunk_names)
    assert later.freed_bytes > 100_000
    assert sorted(blobs.list()) == sorted(referenced)
    assert run(collect(engine.read(kept, keys))) == DATA
    assert fsck(blobs, referenced).ok


def test_reused_old_chunk_is_protected_from_gc(engine_factory: Factory) -> None:
    blobs = MemoryBlobStore()
    keys = new_keys()
    first = run(engine_factory(blobs).write(pieces(DATA), keys)).manifest
    ten_days_ago = time.time() - 10 * 86400
    for name in blobs.list():
        blobs.set_mtime(name, ten_days_ago)
    # a new upload of the same content, not yet committed: nothing references it yet
    second = run(engine_factory(blobs).write(pieces(DATA), keys)).manifest
    assert second.chunk_names == first.chunk_names
    report = collect_garbage(blobs, set(), grace_seconds=86400)
    assert report.deleted == []
    assert run(collect(engine_factory(blobs).read(second, keys))) == DATA


def test_gc_on_erasure_removes_partial_writes(tmp_path: Path) -> None:
    blobs = erasure_local(tmp_path)
    blobs.put("abcd" * 16, b"referenced")
    blobs.children[3].put("ffff" * 16, b"leftover fragment from a failed put")
    report = collect_garbage(blobs, {"abcd" * 16}, grace_seconds=0)
    assert report.deleted == ["ffff" * 16]
    assert list(blobs.list()) == ["abcd" * 16] and blobs.get("abcd" * 16) == b"referenced"


def test_fsck_reports_missing(engine_factory: Factory) -> None:
    blobs = MemoryBlobStore()
    engine = engine_factory(blobs)
    keys = new_keys()
    manifest = run(engine.write(pieces(DATA), keys)).manifest
    assert fsck(blobs, manifest.chunk_names).ok
    blobs.delete(manifest.chunks[0].name)
    report = fsck(blobs, manifest.chunk_names)
    assert not report.ok and report.missing == [manifest.chunks[0].name]


def test_manifest_bytes_survive(engine_factory: Factory) -> None:
    engine = engine_factory(MemoryBlobStore())
    keys = new_keys()
    manifest = run(engine.write(pieces(DATA), keys)).manifest
    again = Manifest.from_bytes(manifest.to_bytes())
    assert run(collect(engine.read(again, keys))) == DATA
