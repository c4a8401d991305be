"""A write on one node is what the next read on any other node sees (issue 21, test 2)."""

from __future__ import annotations

import os

from podstore.cluster.up import Cluster
from tests.cluster.conftest import api, new_user

ROUNDS = 300


def test_put_on_one_node_get_and_list_on_the_others_never_stale(cluster: Cluster) -> None:
    _, token = new_user(cluster.url)
    clients = [api(node.url, token) for node in cluster.nodes]
    stale: list[str] = []
    try:
        for i in range(ROUNDS):
            writer, reader, lister = (clients[(i + k) % len(clients)] for k in range(3))
            name = f"f{i % 7}.bin"
            # every tenth body is above the inline threshold, so it goes to S3
            body = os.urandom(100 * 1024 if i % 10 == 0 else 64) + f"round {i}".encode()
            put = writer.put(f"/pods/home/files/{name}", content=body)
            assert put.status_code in (200, 201), put.text
            got = reader.get(f"/pods/home/files/{name}")
            assert got.status_code == 200, got.text
            if got.content != body:
                stale.append(f"round {i}: GET {name}")
            listed = lister.get("/pods/home/list").json()["entries"]
            sizes = {entry["name"]: entry["size"] for entry in listed}
            if sizes.get(name) != len(body):
                stale.append(f"round {i}: list {name} {sizes.get(name)} != {len(body)}")
    finally:
        for client in clients:
            client.close()
    assert stale == []
