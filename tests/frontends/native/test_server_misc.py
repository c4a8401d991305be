"""Health, metrics and the S3 backend end to end."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures.seaweed import S3Server
from tests.fixtures.server import Server, server_env


def test_healthz_and_metrics(server: Server) -> None:
    assert httpx.get(server.url + "/healthz").json()["status"] == "ok"
    user = server.new_user(pod="m")
    user.put("/pods/m/files/x", content=b"x" * 1000)
    metrics = httpx.get(server.url + "/metrics").text
    for name in (
        "podstore_requests_total",
        "podstore_bytes_in_total",
        "podstore_request_seconds",
        "podstore_storage_used_bytes",
    ):
        assert name in metrics, name
    used = [
        line for line in metrics.splitlines() if line.startswith("podstore_storage_used_bytes ")
    ]
    assert float(used[0].split()[1]) >= 1000
    if server.env.get("PODSTORE_DATABASE_URL", "").startswith("postgresql"):
        return  # no single writer to measure
    held = {
        line.split()[0]: float(line.split()[1])
        for line in metrics.splitlines()
        if line.startswith("podstore_writer_")
    }
    assert held["podstore_writer_transactions_total"] >= 2  # signup, pod, upload...
    assert (
        0 < held["podstore_writer_hold_seconds_max"] <= held["podstore_writer_hold_seconds_total"]
    )


@pytest.fixture(scope="module")
def s3_backed(s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("s3server")
    env = server_env(
        root / "data",
        None,
        PODSTORE_BLOB_STORE="s3",
        PODSTORE_S3_ENDPOINT=s3_server.endpoint_url,
        PODSTORE_S3_BUCKET=s3_server.new_bucket(),
        PODSTORE_S3_ACCESS_KEY=s3_server.access_key,
        PODSTORE_S3_SECRET_KEY=s3_server.secret_key,
    )
    srv = Server(root / "data", env)
    srv.start()
    yield srv
    srv.stop()


def test_end_to_end_on_s3(s3_backed: Server, s3_server: S3Server) -> None:
    user = s3_backed.new_user(pod="cloud")
    data = os.urandom(5_000_000)
    assert user.put("/pods/cloud/files/big.bin", content=data).status_code == 201
    assert user.get("/pods/cloud/files/big.bin").content == data
    ranged = user.get("/pods/cloud/files/big.bin", headers={"Range": "bytes=3000000-3000099"})
    assert ranged.content == data[3000000:3000100]
    assert not (s3_backed.data_dir / "blobs").exists() or not any(
        (s3_backed.data_dir / "blobs").rglob("*.*")
    )
    # the object store holds ciphertext only
    client = s3_server.client()
    bucket = s3_backed.env["PODSTORE_S3_BUCKET"]
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys
    sample = client.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert data[:64] not in sample and data[1_000_000:1_000_064] not in sample
