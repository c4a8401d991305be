"""LocalBlobStore: O_DIRECT writes and reads of large blobs, the buffered fallback, temp-file
hygiene."""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
import random
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.cache import evict
from podstore.storage import buffers
from podstore.storage.errors import BackendUnavailable
from podstore.storage.local import DIRECT_THRESHOLD, LocalBlobStore
from tests.fixtures.pagecache import in_memory, resident_pages

pytestmark = pytest.mark.skipif(not hasattr(os, "O_DIRECT"), reason="no O_DIRECT here")

T = DIRECT_THRESHOLD
MiB = 1 << 20
EDGE_SIZES = [1, 4095, 4096, 4097, T - 1, T, T + 1, 2 * MiB + 17, 8 * MiB + 4095]

real_open = os.open
real_write = os.write
real_readv = os.readv
real_fcntl = fcntl.fcntl


def refuses_o_direct(directory: Path) -> bool:
    """Whether `directory`'s filesystem refuses an aligned O_DIRECT write (EINVAL)."""
    probe = directory / "o-direct-probe"
    buf = mmap.mmap(-1, 4096)
    try:
        fd = real_open(probe, os.O_WRONLY | os.O_CREAT | os.O_DIRECT, 0o600)
        try:
            real_write(fd, buf)
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno != errno.EINVAL:
            raise
        return True
    finally:
        probe.unlink(missing_ok=True)
        buf.close()
    return False


def temp_files(root: Path) -> list[Path]:
    return sorted(root.rglob(".tmp-*"))


def is_direct(fd: int) -> bool:
    return bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT)


def is_temp_of(root: Path, fd: int) -> bool:
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return False
    return target.startswith(str(root)) and "/.tmp-" in target


def check_round_trip(store: LocalBlobStore, name: str, data: bytes) -> None:
    store.put(name, data)
    assert store.get(name) == data
    assert bytes(store.get_in_thread_buffer(name)) == data
    assert bytes(store.get_in_thread_buffer(name, once=True)) == data
    assert store.stat(name).size == len(data)
    size = len(data)
    for offset, length in [
        (0, size),
        (0, 1),
        (size - 1, 1),
        (size - 1, 4097),  # runs past the end
        (4095, 2),
        (T - 1, 2),
        (8 * MiB - 1, 2),
        (size // 2, 4097),
    ]:
        if 0 <= offset < size:
            assert store.get_range(name, offset, length) == data[offset : offset + length]
    assert store.get_range(name, size, 10) == b""
    assert temp_files(store.root) == []


@pytest.fixture
def local(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def opened_flags(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The flags of every temp file the store opens."""
    flags_seen: list[int] = []

    def spy(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: object) -> int:
        if Path(path).name.startswith(".tmp-"):
            flags_seen.append(flags)
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    return flags_seen


@pytest.mark.parametrize("size", EDGE_SIZES)
def test_round_trip_at_alignment_and_threshold_edges(local: LocalBlobStore, size: int) -> None:
    check_round_trip(local, "ab12-edge", os.urandom(size))
    check_round_trip(local, "ab12-edge", os.urandom(size))  # replaces, reusing the buffer
    if refuses_o_direct(local.root):
        pytest.skip(f"{local.root} refuses O_DIRECT: content checked, direct path not used")
    assert local.writes_direct


def test_large_blobs_open_with_o_direct_and_small_ones_do_not(
    local: LocalBlobStore, opened_flags: list[int]
) -> None:
    if refuses_o_direct(local.root):
        pytest.skip(f"{local.root} refuses O_DIRECT")
    local.put("small", os.urandom(T - 1))
    local.put("large", os.urandom(T))
    assert [bool(flags & os.O_DIRECT) for flags in opened_flags] == [False, True]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(size=st.integers(0, 3 * MiB), seed=st.integers(0, 2**32 - 1))
def test_any_size_round_trips(local: LocalBlobStore, size: int, seed: int) -> None:
    data = random.Random(seed).randbytes(size)
    local.put("blob", data)
    assert local.get("blob") == data
    assert local.stat("blob").size == size
    assert temp_files(local.root) == []


@pytest.fixture
def shm() -> Iterator[Path]:
    """A fresh directory on the tmpfs at /dev/shm."""
    with open("/proc/mounts") as mounts:
        if not any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in mounts):
            pytest.skip("/dev/shm is not a tmpfs here")
    directory = Path(tempfile.mkdtemp(prefix="podstore-test-", dir="/dev/shm"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def test_tmpfs_writes_correct_content_and_reports_what_it_accepts(shm: Path) -> None:
    store = LocalBlobStore(shm / "blobs")
    for size in (T, 2 * MiB + 17):
        check_round_trip(store, "tmpfs-blob", os.urandom(size))
    # tmpfs refuses O_DIRECT before Linux 6.6 and accepts it (through its page cache) after
    assert store.writes_direct is not refuses_o_direct(shm)


def test_open_refusing_o_direct_falls_back_once(
    local: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = 0

    def refusing_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        nonlocal attempts
        if flags & os.O_DIRECT:
            attempts += 1
            os.close(real_open(path, flags & ~os.O_DIRECT, *args))  # created, as Linux does
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refusing_open)
    check_round_trip(local, "first", os.urandom(T + 1))
    assert not local.writes_direct
    check_round_trip(local, "second", os.urandom(2 * MiB + 17))
    assert attempts == 1


def test_write_refusing_o_direct_falls_back(
    local: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refusing_write(fd: int, data: bytes) -> int:
        if is_direct(fd):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", refusing_write)
    check_round_trip(local, "blob", os.urandom(2 * MiB + 17))
    assert not local.writes_direct


def test_direct_false_never_uses_o_direct(tmp_path: Path, opened_flags: list[int]) -> None:
    store = LocalBlobStore(tmp_path / "blobs", direct=False)
    assert not store.writes_direct
    for size in (T, 2 * MiB + 17):
        check_round_trip(store, "blob", os.urandom(size))
    assert len(opened_flags) == 2
    assert not any(flags & os.O_DIRECT for flags in opened_flags)


def limit_writes(
    monkeypatch: pytest.MonkeyPatch, root: Path, size_of: Callable[[int], int | None]
) -> None:
    """Make the store's temp-file writes short: call n writes at most `size_of(n)` bytes."""
    calls = 0

    def short_write(fd: int, data: memoryview) -> int:
        nonlocal calls
        if not is_temp_of(root, fd):
            return real_write(fd, data)
        calls += 1
        limit = size_of(calls)
        if limit is None or limit >= len(data):
            return real_write(fd, data)
        if limit % 4096 == 0 or not is_direct(fd):
            return real_write(fd, data[:limit])
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)  # an unaligned short write: only possible
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_DIRECT)  # without O_DIRECT
        try:
            return real_write(fd, data[:limit])
        finally:
            fcntl.fcntl(fd, fcntl.F_SETFL, flags)

    monkeypatch.setattr(os, "write", short_write)


@pytest.mark.parametrize("limit", [65536, 1000], ids=["aligned", "unaligned"])
def test_short_writes_still_write_everything(
    local: LocalBlobStore, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    limit_writes(monkeypatch, local.root, lambda n: limit if n <= 3 else None)
    for size in (T + 1, 8 * MiB + 4095):
        check_round_trip(local, "short", os.urandom(size))
    assert local.writes_direct is not refuses_o_direct(local.root)  # a short write is no refusal


@pytest.mark.parametrize("size", [1000, T, 2 * MiB + 17])
def test_failing_write_leaves_no_temp_and_keeps_the_old_blob(
    local: LocalBlobStore, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    old = os.urandom(size)
    local.put("blob", old)

    def failing_write(fd: int, data: bytes) -> int:
        if is_temp_of(local.root, fd):
            raise OSError(errno.EIO, "Input/output error")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(BackendUnavailable):
        local.put("blob", os.urandom(size))
    with pytest.raises(BackendUnavailable):
        local.put("other", os.urandom(size))
    monkeypatch.undo()
    assert temp_files(local.root) == []
    assert local.get("blob") == old
    assert not local.exists("other")
    assert local.writes_direct is not refuses_o_direct(local.root)  # EIO is no refusal


def test_concurrent_large_puts(local: LocalBlobStore) -> None:
    sizes = [T, T + 4097, MiB + 1, 3 * MiB + 5, 9 * MiB + 1]
    threads_n = 4
    blobs = {
        f"t{t}-{i}": os.urandom(size + t) for t in range(threads_n) for i, size in enumerate(sizes)
    }
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def worker(t: int) -> None:
        try:
            barrier.wait()
            for name, data in blobs.items():
                if name.startswith(f"t{t}-"):
                    local.put(name, data)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for name, data in blobs.items():
        assert local.get(name) == data
    assert temp_files(local.root) == []


def test_reads_into_the_thread_buffer_reuse_one_buffer(local: LocalBlobStore) -> None:
    """Chunk frames read back land in memory the thread already has, not in fresh pages."""
    local.put("a", os.urandom(3 << 20))
    local.put("b", os.urandom(1 << 20))
    first = local.get_in_thread_buffer("a")
    second = local.get_in_thread_buffer("b")
    assert isinstance(first, memoryview) and isinstance(second, memoryview)
    assert first.obj is second.obj
    assert bytes(second) == local.get("b")


@pytest.mark.parametrize("limit", [65536, 1000], ids=["aligned", "unaligned"])
def test_short_reads_into_the_thread_buffer_still_read_everything(
    local: LocalBlobStore, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    data = os.urandom((1 << 20) + 17)
    local.put("blob", data)

    def short_readv(fd: int, views: list[memoryview]) -> int:
        if limit % 4096 == 0 or not is_direct(fd):
            return real_readv(fd, [views[0][:limit]])
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)  # an unaligned short read: only possible
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_DIRECT)  # without O_DIRECT
        try:
            return real_readv(fd, [views[0][:limit]])
        finally:
            fcntl.fcntl(fd, fcntl.F_SETFL, flags)

    monkeypatch.setattr(os, "readv", short_readv)
    assert bytes(local.get_in_thread_buffer("blob", once=True)) == data
    assert bytes(local.get_in_thread_buffer("blob")) == data
    assert local.writes_direct is not refuses_o_direct(local.root)  # a short read is no refusal


def test_large_blobs_read_once_are_read_past_the_page_cache(local: LocalBlobStore) -> None:
    if refuses_o_direct(local.root) or in_memory(local.root):
        pytest.skip(f"{local.root} has no O_DIRECT or no disk")
    large, small, again = os.urandom(2 * MiB + 17), os.urandom(T - 1), os.urandom(2 * MiB)
    for name, data in (("large", large), ("small", small), ("again", again)):
        local.put(name, data)
    evict(local.root)
    assert bytes(local.get_in_thread_buffer("large", once=True)) == large
    assert bytes(local.get_in_thread_buffer("small", once=True)) == small
    assert bytes(local.get_in_thread_buffer("again")) == again  # may be read again: cached
    assert resident_pages(local.path("large")) == 0
    assert resident_pages(local.path("small")) == buffers.round_up(len(small)) // 4096
    assert resident_pages(local.path("again")) == len(again) // 4096
    assert bytes(local.get_in_thread_buffer("again", once=True)) == again  # cached: no obstacle


def test_fcntl_refusing_o_direct_reads_through_the_page_cache(
    local: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = os.urandom(2 * MiB + 17)
    local.put("blob", data)
    calls = 0

    def refusing_fcntl(fd: int, command: int, arg: int = 0) -> int:
        nonlocal calls
        if command == fcntl.F_SETFL and arg & os.O_DIRECT:
            calls += 1
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_fcntl(fd, command, arg)

    monkeypatch.setattr(fcntl, "fcntl", refusing_fcntl)
    assert bytes(local.get_in_thread_buffer("blob", once=True)) == data
    assert not local.writes_direct
    assert bytes(local.get_in_thread_buffer("blob", once=True)) == data
    assert calls == 1


def test_a_direct_read_refused_is_read_again_through_the_page_cache(
    local: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A device that wants more alignment than a page refuses the read itself (EINVAL)."""
    data = os.urandom(2 * MiB + 17)
    local.put("blob", data)

    def refusing_readv(fd: int, views: list[memoryview]) -> int:
        if is_direct(fd):
            real_readv(fd, [views[0][:65536]])  # the offset moves on before the refusal
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_readv(fd, views)

    monkeypatch.setattr(os, "readv", refusing_readv)
    assert bytes(local.get_in_thread_buffer("blob", once=True)) == data
    assert not local.writes_direct


def test_a_blob_too_big_for_a_thread_buffer_is_read_into_fresh_memory(
    local: LocalBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blob larger than any chunk (damage, or not a chunk) is not kept by the thread."""
    monkeypatch.setattr(buffers, "MAX_READ_INTO", 1 << 20)
    data = os.urandom((1 << 20) + 1)
    local.put("big", data)
    got = local.get_in_thread_buffer("big")
    assert got == data and isinstance(got, bytes)
