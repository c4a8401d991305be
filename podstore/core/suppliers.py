"""The stores that hold the data, as BitDust calls them: "suppliers". On an erasure-coded set
each child store is one (fragment i of every blob lives in child i); any other store is one
supplier holding whole blobs. Each is probed with one lookup to tell online from offline.

A child can be moved onto one of the configured spare stores while the server runs (BitDust's
"supplier change"): reads go on from the other children meanwhile, and every fragment the
new child lacks is rebuilt from them (the erasure `repair`). The move lasts until the next
start: the operator writes it into the settings' `children`."""

from __future__ import annotations

import threading
from pathlib import Path

from podstore.core.errors import Conflict, Invalid
from podstore.core.records import SupplierChange, SupplierInfo
from podstore.settings import StoreSettings
from podstore.storage.blobstore import BlobStore
from podstore.storage.erasure import ErasureBlobStore
from podstore.storage.errors import StorageError
from podstore.storage.open import open_blob_store
from podstore.storage.wrappers import WrappedBlobStore

PROBE = "podstore-supplier-probe"
_CHANGING = threading.Lock()


def _unwrapped(store: BlobStore) -> BlobStore:
    while isinstance(store, WrappedBlobStore):
        store = store.inner
    return store


def _location(spec: StoreSettings) -> str:
    if spec.kind == "s3":
        return f"{spec.endpoint}/{spec.bucket}/{spec.prefix}".rstrip("/")
    return str(spec.path) if spec.path else "the data folder"


def _state(store: BlobStore) -> str:
    try:
        store.exists(PROBE)
    except (StorageError, OSError):
        return "offline"
    return "online"


def list_suppliers(blobs: BlobStore, spec: StoreSettings) -> list[SupplierInfo]:
    store = _unwrapped(blobs)
    if isinstance(store, ErasureBlobStore):
        return [
            SupplierInfo(
                position=i,
                kind=child_spec.kind,
                location=_location(child_spec),
                role="data" if i < store.k else "parity",
                state=_state(child),
                k=store.k,
                m=store.m,
            )
            for i, (child, child_spec) in enumerate(zip(store.children, spec.children, strict=True))
        ]
    return [SupplierInfo(0, spec.kind, _location(spec), "data", _state(store), 1, 0)]


def change_supplier(
    blobs: BlobStore, spec: StoreSettings, position: int, spare: int, default_dir: Path
) -> SupplierChange:
    """Move child `position` onto spare store `spare` and rebuild its fragments there."""
    store = _unwrapped(blobs)
    if not isinstance(store, ErasureBlobStore):
        raise Invalid("only an erasure-coded store has suppliers to change")
    if not 0 <= position < store.n:
        raise Invalid(f"a supplier position is 0 to {store.n - 1}")
    if not 0 <= spare < len(spec.spares):
        raise Invalid(f"the settings name {len(spec.spares)} spare stores (storage.spares)")
    if not _CHANGING.acquire(blocking=False):
        raise Conflict("another supplier change is running")
    try:
        target = spec.spares[spare]
        fresh = open_blob_store(target, default_dir / f"spare-{spare}")
        old, old_spec = store.children[position], spec.children[position]
        store.children[position] = fresh
        spec.children[position] = target
        spec.spares[spare] = old_spec
        report = store.repair(position)
        old.close()
    finally:
        _CHANGING.release()
    return SupplierChange(
        position=position,
        old_location=_location(old_spec),
        new_location=_location(target),
        checked=report.checked,
        rebuilt=len(report.rebuilt),
        lost=len(report.lost),
    )
