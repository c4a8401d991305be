"""The stores holding the data, as the BitDust dialect lists its "suppliers"."""

from __future__ import annotations

from pathlib import Path

from podstore.core.suppliers import list_suppliers
from podstore.settings import StoreSettings
from podstore.storage.blobstore import BlobStore
from podstore.storage.erasure import ErasureBlobStore
from podstore.storage.local import LocalBlobStore
from podstore.storage.wrappers import FaultyBlobStore, RetryingBlobStore


def test_each_child_of_an_erasure_set_is_a_supplier_with_its_role_and_state(
    tmp_path: Path,
) -> None:
    spec = StoreSettings(
        kind="erasure",
        k=4,
        m=2,
        children=[StoreSettings(path=tmp_path / f"c{i}") for i in range(6)],
    )
    children: list[BlobStore] = [LocalBlobStore(tmp_path / f"c{i}") for i in range(6)]
    for dead in (1, 5):
        faulty = FaultyBlobStore(children[dead])
        faulty.fail("exists", repeat=True)
        children[dead] = faulty
    store = RetryingBlobStore(ErasureBlobStore(children, 4, 2), attempts=1)
    try:
        found = list_suppliers(store, spec)
    finally:
        store.close()
    assert [(s.position, s.role, s.state) for s in found] == [
        (0, "data", "online"),
        (1, "data", "offline"),
        (2, "data", "online"),
        (3, "data", "online"),
        (4, "parity", "online"),
        (5, "parity", "offline"),
    ]
    assert {(s.k, s.m, s.kind) for s in found} == {(4, 2, "local")}
    assert found[3].location == str(tmp_path / "c3")


def test_a_single_store_is_one_supplier(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    [only] = list_suppliers(store, StoreSettings(path=tmp_path))
    assert (only.position, only.role, only.state, only.k, only.m) == (0, "data", "online", 1, 0)
