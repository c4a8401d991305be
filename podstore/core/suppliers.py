"""The stores that hold the data, as BitDust calls them: "suppliers". On an erasure-coded set
each child store is one (fragment i of every blob lives in child i); any other store is one
supplier holding whole blobs. Each is probed with one lookup to tell online from offline."""

from __future__ import annotations

from podstore.core.records import SupplierInfo
from podstore.settings import StoreSettings
from podstore.storage.blobstore import BlobStore
from podstore.storage.erasure import ErasureBlobStore
from podstore.storage.errors import StorageError
from podstore.storage.wrappers import WrappedBlobStore

PROBE = "podstore-supplier-probe"


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
