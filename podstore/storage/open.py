"""From settings to a blob store: the one place stores are opened and wrappers composed.

`kind` names a builder in `BUILDERS`; an erasure store opens each of its children through
the same registry. A store with `retries` (3 by default on S3) is wrapped in
`RetryingBlobStore`, so a transient failure of one child is retried for that child alone;
a timeout only on reads, once (see wrappers.py for the bound that gives a hung store).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from podstore.settings import StoreSettings
from podstore.storage.blobstore import BlobStore
from podstore.storage.errors import BackendUnavailable
from podstore.storage.wrappers import RetryingBlobStore

if TYPE_CHECKING:  # boto3 and pyeclib load only when a store needs them
    from podstore.storage.s3 import S3BlobStore

Builder = Callable[[StoreSettings, Path], BlobStore]


def open_blob_store(spec: StoreSettings, default_dir: Path) -> BlobStore:
    """The store `spec` describes; a local store without a path lives in `default_dir`."""
    store = BUILDERS[spec.kind](spec, default_dir)
    retries = spec.retries if spec.retries is not None else (3 if spec.kind == "s3" else 0)
    return RetryingBlobStore(store, attempts=retries + 1) if retries > 0 else store


def _local(spec: StoreSettings, default_dir: Path) -> BlobStore:
    from podstore.storage.local import LocalBlobStore

    return LocalBlobStore(spec.path or default_dir)


def _s3(spec: StoreSettings, default_dir: Path) -> BlobStore:
    from podstore.storage.s3 import READ_TIMEOUT, S3BlobStore

    if not spec.endpoint:
        raise ValueError(
            "an s3 blob store needs an endpoint: "
            "PODSTORE_STORAGE__ENDPOINT (or PODSTORE_S3_ENDPOINT)"
        )
    store = S3BlobStore(
        spec.endpoint,
        spec.bucket,
        access_key=spec.access_key,
        secret_key=spec.secret_key,
        region=spec.region,
        prefix=spec.prefix,
        connect_timeout=spec.connect_timeout_seconds,
        read_timeout=spec.read_timeout_seconds or READ_TIMEOUT,
    )
    _ensure_bucket(store)
    return store


_CREATED_BY_ANOTHER = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}


def _ensure_bucket(store: S3BlobStore) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        store.client.head_bucket(Bucket=store.bucket)
    except BotoCoreError as exc:
        raise BackendUnavailable(f"S3 bucket {store.bucket!r} unreachable: {exc}") from exc
    except ClientError:
        try:
            store.client.create_bucket(Bucket=store.bucket)
        except ClientError as exc:  # another node, starting at the same time, was first
            if exc.response.get("Error", {}).get("Code") not in _CREATED_BY_ANOTHER:
                raise


def _erasure(spec: StoreSettings, default_dir: Path) -> BlobStore:
    from podstore.storage.erasure import ErasureBlobStore

    children = [
        open_blob_store(child, default_dir / f"fragments-{index}")
        for index, child in enumerate(spec.children)
    ]
    return ErasureBlobStore(children, spec.k, spec.m, write_quorum=spec.write_quorum)


BUILDERS: dict[str, Builder] = {"local": _local, "s3": _s3, "erasure": _erasure}
