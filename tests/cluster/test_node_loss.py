"""A node killed (SIGKILL) half way through an upload: the client resumes through haproxy on
another node, the file arrives whole, fsck is clean, at most one request's bytes went twice
(issue 21, test 5).

One request is one block here: the cluster caps bodies at 8 MiB, tuspy sends 8 MiB PATCHes
(with a checksum: a cut PATCH is kept whole or not at all) and `podstore put --jobs 1` sends
up to 8 MiB of chunks per request, one request at a time (after a failure, only the chunks
the server did not record).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tusclient import client as tus_client

from podstore.cluster.up import Cluster
from tests.cluster.conftest import (
    MAX_REQUEST_BYTES,
    api,
    back_afterwards,
    fsck,
    new_user,
    serving_node,
)

MiB = 1024 * 1024
SIZE = 128 * MiB
BLOCK = MAX_REQUEST_BYTES
RESENT = re.compile(r"(\d+) bytes sent again")


class CountingFile(io.BytesIO):
    """The file tuspy reads each PATCH's body from; counts what it read, and says when a
    read starts past half the file."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0
        self.half_way = threading.Event()

    def read(self, size: int | None = -1, /) -> bytes:
        if self.tell() >= SIZE // 2:
            self.half_way.set()
        piece = super().read(size)
        self.bytes_read += len(piece)
        return piece


def _digest(cluster: Cluster, token: str, path: str) -> str:
    sha = hashlib.sha256()
    with api(cluster.url, token) as client, client.stream("GET", path) as got:
        assert got.status_code == 200
        for piece in got.iter_bytes(MiB):
            sha.update(piece)
    return sha.hexdigest()


def test_tus_upload_survives_its_node(cluster: Cluster) -> None:
    _, token = new_user(cluster.url)
    data = os.urandom(SIZE)
    source = CountingFile(data)
    uploader = tus_client.TusClient(
        f"{cluster.url}/api/v1/pods/home/tus/", headers={"Authorization": f"Bearer {token}"}
    ).uploader(
        file_stream=source,
        metadata={"path": "big-tus.bin"},
        chunk_size=BLOCK,
        upload_checksum=True,
        retries=5,
        retry_delay=1,
    )
    failure: list[BaseException] = []

    def upload() -> None:
        try:
            uploader.upload()
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=upload)
    thread.start()
    assert source.half_way.wait(120), failure
    victim = serving_node(cluster)
    with back_afterwards(cluster, victim):
        victim.kill()
        thread.join(300)
    assert not thread.is_alive() and failure == [], failure
    resent = source.bytes_read - SIZE
    print(f"tus: killed {victim.name}, {resent} bytes sent again")
    assert resent <= BLOCK
    assert (
        _digest(cluster, token, "/pods/home/files/big-tus.bin") == hashlib.sha256(data).hexdigest()
    )


def test_podstore_put_survives_its_node(cluster: Cluster, tmp_path: Path) -> None:
    _, token = new_user(cluster.url)
    source = tmp_path / "big.bin"
    data = os.urandom(SIZE)
    source.write_bytes(data)
    env = {
        **cluster.node_env(),
        "PODSTORE_URL": cluster.url,
        "PODSTORE_TOKEN": token,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLUMNS": "200",
    }
    put = subprocess.Popen(
        [sys.executable, "-m", "podstore", "put", "--jobs", "1", str(source), "home/big.bin"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with api(cluster.nodes[0].url, token) as watcher:
            uploads: list[dict[str, Any]] = []
            while not uploads or uploads[0]["received_bytes"] < SIZE // 2:
                assert put.poll() is None, put.communicate()[0]
                uploads = watcher.get("/uploads").json()["uploads"]
                time.sleep(0.02)
        victim = serving_node(cluster)
        with back_afterwards(cluster, victim):
            victim.kill()
            output, _ = put.communicate(timeout=300)
    finally:
        if put.poll() is None:
            put.kill()
            put.wait()
    assert put.returncode == 0, output
    found = RESENT.search(" ".join(output.split()))
    resent = int(found.group(1)) if found else 0
    print(f"podstore put: killed {victim.name}, {resent} bytes sent again")
    assert resent <= BLOCK
    assert _digest(cluster, token, "/pods/home/files/big.bin") == hashlib.sha256(data).hexdigest()
    checked = fsck(cluster, tmp_path / "fsck")
    assert checked.returncode == 0, checked.stdout + checked.stderr
