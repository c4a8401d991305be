"""A server whose blob store is an erasure set of three local folders (k=2, m=1)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tests.fixtures.server import Server, server_env


def test_erasure_set_serves_and_survives_a_lost_child(tmp_path: Path) -> None:
    children = [tmp_path / f"disk{i}" for i in range(3)]
    env = server_env(
        tmp_path / "data",
        None,
        PODSTORE_STORAGE__KIND="erasure",
        PODSTORE_STORAGE__K="2",
        PODSTORE_STORAGE__M="1",
        PODSTORE_STORAGE__CHILDREN=json.dumps([{"path": str(c)} for c in children]),
    )
    server = Server(tmp_path / "data", env)
    server.start()
    try:
        user = server.new_user(pod="home")
        data = os.urandom(2_000_000)
        assert user.put("/pods/home/files/big.bin", content=data).status_code == 201
        assert user.get("/pods/home/files/big.bin").content == data
        for child in children:  # each folder holds fragments, none the whole blobs
            assert sum(f.stat().st_size for f in child.rglob("*") if f.is_file()) < len(data)
        assert not (tmp_path / "data" / "blobs").exists()
        shutil.rmtree(children[1])
        assert user.get("/pods/home/files/big.bin").content == data
        ranged = user.get("/pods/home/files/big.bin", headers={"Range": "bytes=1000-1999"})
        assert ranged.content == data[1000:2000]
    finally:
        server.stop()
