"""storage/open.py builds the store the settings describe, wrappers included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from podstore.settings import Settings, StoreSettings
from podstore.storage.erasure import ErasureBlobStore
from podstore.storage.local import LocalBlobStore
from podstore.storage.open import open_blob_store
from podstore.storage.s3 import S3BlobStore
from podstore.storage.wrappers import RetryingBlobStore
from tests.fixtures.seaweed import S3Server


def s3_spec(s3_server: S3Server, **extra: object) -> dict[str, object]:
    return {
        "kind": "s3",
        "endpoint": s3_server.endpoint_url,
        "bucket": s3_server.new_bucket(),
        "access_key": s3_server.access_key,
        "secret_key": s3_server.secret_key,
        **extra,
    }


def test_local_by_default_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = open_blob_store(settings.storage, tmp_path / "blobs")
    assert isinstance(store, LocalBlobStore)
    store.put("ab12", b"x")
    assert any((tmp_path / "blobs").rglob("ab12"))


@pytest.mark.s3
def test_s3_retries_by_default_and_on_request(s3_server: S3Server, tmp_path: Path) -> None:
    default = open_blob_store(StoreSettings.model_validate(s3_spec(s3_server)), tmp_path)
    assert isinstance(default, RetryingBlobStore) and default.attempts == 4
    assert isinstance(default.inner, S3BlobStore)
    default.put("ab12", b"payload")  # the bucket was created
    assert default.get("ab12") == b"payload"
    bare = open_blob_store(StoreSettings.model_validate(s3_spec(s3_server, retries=0)), tmp_path)
    assert isinstance(bare, S3BlobStore)


@pytest.mark.s3
def test_erasure_over_local_and_s3_children(s3_server: S3Server, tmp_path: Path) -> None:
    spec = StoreSettings.model_validate(
        {
            "kind": "erasure",
            "k": 2,
            "m": 1,
            "children": [{"path": tmp_path / "a"}, s3_spec(s3_server), {"path": tmp_path / "c"}],
        }
    )
    store = open_blob_store(spec, tmp_path / "unused")
    assert isinstance(store, ErasureBlobStore) and (store.k, store.m) == (2, 1)
    assert isinstance(store.children[1], RetryingBlobStore)
    data = os.urandom(100_000)
    store.put("cafe01", data)
    assert store.get("cafe01") == data
    assert any((tmp_path / "a").rglob("cafe01")) and any((tmp_path / "c").rglob("cafe01"))
    store.children[1].delete("cafe01")  # a lost fragment on S3: the others still rebuild it
    assert store.get("cafe01") == data


def test_erasure_needs_k_plus_m_children(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs 3 children, settings give 1"):
        StoreSettings(kind="erasure", k=2, m=1, children=[StoreSettings(path=tmp_path)])


def test_flat_s3_names_of_earlier_releases_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODSTORE_BLOB_STORE", "s3")
    monkeypatch.setenv("PODSTORE_S3_ENDPOINT", "http://s3.example:8333")
    monkeypatch.setenv("PODSTORE_S3_BUCKET", "flat")
    monkeypatch.setenv("PODSTORE_STORAGE__REGION", "eu-west-1")
    storage = Settings().storage
    assert (storage.kind, storage.endpoint, storage.bucket) == (
        "s3",
        "http://s3.example:8333",
        "flat",
    )
    assert storage.region == "eu-west-1"
    monkeypatch.setenv("PODSTORE_STORAGE__BUCKET", "nested")
    assert Settings().storage.bucket == "nested"  # the nested name wins where both are set
