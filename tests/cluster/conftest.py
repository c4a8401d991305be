"""One cluster for the package: three nodes started together on an empty PostgreSQL database
and a new S3 bucket (the suite's PostgreSQL and SeaweedFS), behind haproxy.

Sessions are cached for a minute on every node, so a revocation that reaches another node
at once can only have come through NOTIFY.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from podstore.cluster.up import Cluster
from tests.fixtures.postgres import PostgresCluster
from tests.fixtures.seaweed import S3Server
from tests.fixtures.server import FAST_KDF, PASSWORD

SESSION_CACHE_SECONDS = 60


@pytest.fixture(scope="package")
def cluster(
    postgres: PostgresCluster, s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed (make test installs it with apt as root)")
    env = {
        **FAST_KDF,
        "PODSTORE_SESSION_CACHE_SECONDS": str(SESSION_CACHE_SECONDS),
        "PODSTORE_LOG_LEVEL": "warning",
    }
    with Cluster(
        Path(tmp_path_factory.mktemp("cluster")),
        nodes=3,
        database_url=postgres.new_database(),
        s3_endpoint=s3_server.endpoint_url,
        bucket=f"c-{uuid.uuid4().hex[:16]}",  # made by the nodes as they start
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
