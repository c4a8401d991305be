"""One cluster for the package: three nodes started together on an empty PostgreSQL database
(the suite's PostgreSQL) and a SeaweedFS of the cluster's own (the tests freeze and kill it),
behind haproxy. Request bodies are capped at 8 MiB, as behind a proxy with a body limit, so
an upload's requests are small enough that losing one costs little.

Sessions are cached for a minute on every node, so a revocation that reaches another node
at once can only have come through NOTIFY.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from podstore.cluster.nodes import Node
from podstore.cluster.up import Cluster
from tests.fixtures.postgres import PostgresCluster
from tests.fixtures.server import FAST_KDF, PASSWORD

SESSION_CACHE_SECONDS = 60
MAX_REQUEST_BYTES = 8 * 1024 * 1024


@pytest.fixture(scope="package")
def cluster(
    postgres: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed (make test installs it with apt as root)")
    env = {
        **FAST_KDF,
        "PODSTORE_SESSION_CACHE_SECONDS": str(SESSION_CACHE_SECONDS),
        "PODSTORE_LOG_LEVEL": "warning",
        "PODSTORE_MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES),
    }
    with Cluster(
        Path(tmp_path_factory.mktemp("cluster")),
        nodes=3,
        database_url=postgres.new_database(),
        env=env,
    ) as running:
        yield running


def api(url: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url + "/api/v1", headers=headers, timeout=60)


def new_user(url: str, pod: str | None = "home") -> tuple[str, str]:
    """Signs up a fresh user through `url`; returns (name, token)."""
    name = f"user-{uuid.uuid4().hex[:10]}"
    with api(url) as anon:
        assert anon.post("/signup", json={"name": name, "password": PASSWORD}).status_code == 201
        login = anon.post("/login", json={"name": name, "password": PASSWORD})
        assert login.status_code == 200, login.text
    token: str = login.json()["token"]
    if pod:
        with api(url, token) as user:
            assert user.post("/pods", json={"name": pod}).status_code == 201
    return name, token


def serving_node(cluster: Cluster, timeout: float = 30.0) -> Node:
    """The node haproxy has a request in progress on (the one upload running)."""
    assert cluster.haproxy is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [name for name, n in cluster.haproxy.active_requests().items() if n > 0]
        if len(busy) == 1:
            return next(node for node in cluster.nodes if node.name == busy[0])
        time.sleep(0.005)
    raise AssertionError("no node was serving the upload")


@contextmanager
def back_afterwards(cluster: Cluster, node: Node) -> Iterator[None]:
    """Restart `node` (killed inside) once the block ends, so the next test has three."""
    try:
        yield
    finally:
        node.start()
        node.wait_ready()
        cluster.wait_ready()


def fsck(cluster: Cluster, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podstore", "fsck"],
        env={**cluster.node_env(), "PODSTORE_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=300,
    )
