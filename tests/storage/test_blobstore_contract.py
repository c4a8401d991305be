"""The BlobStore contract, run against every implementation (see conftest.STORE_KINDS)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from podstore.storage.blobstore import BlobStore
from podstore.storage.errors import BlobNotFound, InvalidName

BAD_NAMES = ["", "..", "../x", "/x", "x/", "a//b", "A", "a\0b", ".hidden", "a/./b", "x" * 256]


@pytest.mark.parametrize("size", [0, 1, 1000, (1 << 20) + 3])
def test_put_get_round_trip(store: BlobStore, size: int) -> None:
    data = os.urandom(size)
    store.put("blob", data)
    assert store.get("blob") == data
    assert bytes(store.get_in_thread_buffer("blob")) == data
    assert store.stat("blob").size == size
    assert store.exists("blob")


def test_get_in_thread_buffer_gives_each_blob_whole(store: BlobStore) -> None:
    """Each call reads its blob entirely and only it, also a smaller one after a bigger one
    in the same reused buffer."""
    big, small = os.urandom((2 << 20) + 5), os.urandom(3000)
    store.put("big", big)
    store.put("small", small)
    store.put("empty", b"")
    assert bytes(store.get_in_thread_buffer("big")) == big
    assert bytes(store.get_in_thread_buffer("small")) == small
    assert bytes(store.get_in_thread_buffer("empty")) == b""
    assert bytes(store.get_in_thread_buffer("big")) == big


def test_missing_blob_raises_not_found(store: BlobStore) -> None:
    assert not store.exists("nope")
    for call in (
        lambda: store.get("nope"),
        lambda: store.get_in_thread_buffer("nope"),
        lambda: store.get_range("nope", 0, 10),
        lambda: store.get_range("nope", 0, 0),
        lambda: store.stat("nope"),
    ):
        with pytest.raises(BlobNotFound):
            call()


def test_put_is_idempotent_and_replaces(store: BlobStore) -> None:
    store.put("x", b"first")
    store.put("x", b"first")
    assert store.get("x") == b"first"
    assert list(store.list()) == ["x"]
    store.put("x", b"second version")
    assert store.get("x") == b"second version"
    assert store.stat("x").size == len(b"second version")


def test_get_range(store: BlobStore) -> None:
    data = os.urandom(100_000)
    store.put("r", data)
    for offset, length in [(0, 10), (5, 1), (99_990, 10), (99_990, 100), (50_000, 0), (0, 100_000)]:
        assert store.get_range("r", offset, length) == data[offset : offset + length]
    assert store.get_range("r", 100_000, 5) == b""
    assert store.get_range("r", 200_000, 5) == b""


def test_delete(store: BlobStore) -> None:
    store.put("d", b"data")
    store.put("keep", b"other")
    store.delete("d")
    assert not store.exists("d")
    with pytest.raises(BlobNotFound):
        store.get("d")
    store.delete("d")  # deleting a missing blob is a no-op
    assert list(store.list()) == ["keep"]
    assert store.get("keep") == b"other"


def test_list_with_prefix_and_namespaces(store: BlobStore) -> None:
    names = ["ab12cd", "ab12ff", "ab99", "zz", "ns/one", "ns/two", "nsx"]
    for name in names:
        store.put(name, name.encode())
    assert sorted(store.list()) == sorted(names)
    assert sorted(store.list("ab12")) == ["ab12cd", "ab12ff"]
    assert sorted(store.list("ns/")) == ["ns/one", "ns/two"]
    assert sorted(store.list("ns")) == ["ns/one", "ns/two", "nsx"]
    assert list(store.list("nothing")) == []
    assert store.get("ns/two") == b"ns/two"


def test_stat_mtime_is_write_time(store: BlobStore) -> None:
    before = time.time()
    store.put("m", b"x")
    after = time.time()
    info = store.stat("m")
    assert info.name == "m"
    assert before - 2 <= info.mtime <= after + 2


def test_touch_renews_mtime_and_keeps_data(store: BlobStore) -> None:
    store.put("t", b"payload")
    first = store.stat("t").mtime
    time.sleep(1.1)
    store.touch("t")
    assert store.stat("t").mtime > first
    assert store.get("t") == b"payload"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_invalid_names_rejected_everywhere(store: BlobStore, name: str) -> None:
    for call in (
        lambda: store.put(name, b"x"),
        lambda: store.get(name),
        lambda: store.get_range(name, 0, 1),
        lambda: store.exists(name),
        lambda: store.delete(name),
        lambda: store.stat(name),
    ):
        with pytest.raises(InvalidName):
            call()
    assert list(store.list()) == []


def test_concurrent_puts_and_gets(store: BlobStore) -> None:
    blobs = {f"c{t}-{i}": os.urandom(1000 + i) for t in range(6) for i in range(8)}
    errors: list[BaseException] = []

    def worker(t: int) -> None:
        try:
            mine = {n: d for n, d in blobs.items() if n.startswith(f"c{t}-")}
            for name, data in mine.items():
                store.put(name, data)
            for name, data in mine.items():
                assert store.get(name) == data
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(store.list()) == sorted(blobs)
