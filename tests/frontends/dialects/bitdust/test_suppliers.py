"""Suppliers are the stores of an erasure set of 4 + 2 local folders: with two of them gone
everything still reads, and `supplier_change` moves each onto an empty spare and rebuilds its
fragments, until every blob has all six again."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.frontends.dialects.bitdust.engine import BitDust, running_bitdust


def stored(folder: Path) -> set[str]:
    return {name for _, _, names in os.walk(folder) for name in names if not name.startswith(".")}


@pytest.fixture(scope="module")
def erasure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BitDust, Path]]:
    root = tmp_path_factory.mktemp("suppliers")
    stores = root / "stores"
    children = [{"path": str(stores / f"child{i}")} for i in range(6)]
    spares = [{"path": str(stores / f"spare{i}")} for i in range(2)]
    yield from (
        (engine, stores)
        for engine in running_bitdust(
            root,
            PODSTORE_STORAGE__KIND="erasure",
            PODSTORE_STORAGE__K="4",
            PODSTORE_STORAGE__M="2",
            PODSTORE_STORAGE__CHILDREN=json.dumps(children),
            PODSTORE_STORAGE__SPARES=json.dumps(spares),
            PODSTORE_FRONTENDS__BITDUST__ALLOW_OPERATOR_ACTIONS="true",
        )
    )


def test_two_lost_stores_read_on_and_supplier_change_rebuilds_them(
    erasure: tuple[BitDust, Path],
) -> None:
    bitdust, stores = erasure
    sock = bitdust.socket()
    files = {f"f{i}.bin": os.urandom(300_000 + i) for i in range(4)}
    for name, data in files.items():
        (bitdust.local / name).write_bytes(data)
        remote = bitdust.remote(name)
        assert sock.call("file_create", remote_path=remote)["status"] == "OK"
        up = sock.call(
            "file_upload_start",
            local_path=str(bitdust.local / name),
            remote_path=remote,
            wait_result=1,
        )
        assert up["status"] == "OK", up
    listed = sock.call("suppliers_list", verbose=1)
    assert listed["ecc_map"] == "podstore/4+2"
    assert [(s["position"], s["role"], s["connected"]) for s in listed["result"]] == [
        (i, "data" if i < 4 else "parity", True) for i in range(6)
    ]
    healthy = stored(stores / "child0")
    assert healthy and all(stored(stores / f"child{i}") == healthy for i in range(6))

    shutil.rmtree(stores / "child1")
    shutil.rmtree(stores / "child4")
    (bitdust.local / "back").mkdir()
    for name, data in files.items():
        down = sock.call(
            "file_download_start",
            remote_path=bitdust.remote(name),
            destination_path=str(bitdust.local / "back"),
            wait_result=1,
        )
        assert down["status"] == "OK", down
        assert (bitdust.local / "back" / name).read_bytes() == data

    for position, spare in ((1, "spare0"), (4, "spare1@localhost")):
        changed = sock.call("supplier_change", position=str(position), new_supplier_id=spare)
        assert changed["status"] == "OK", changed
        assert changed["result"]["rebuilt"] == len(healthy) and changed["result"]["lost"] == 0
    assert stored(stores / "spare0") == healthy == stored(stores / "spare1")
    locations = [s["location"] for s in sock.call("suppliers_list", verbose=1)["result"]]
    assert locations[1] == str(stores / "spare0") and locations[4] == str(stores / "spare1")
