"""The cluster: PostgreSQL, SeaweedFS, N nodes and haproxy, started and stopped in order.

A database URL or an S3 endpoint given to `Cluster` is used instead of starting one (the
tests bring their own, shared by the whole suite).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType

import httpx

from podstore.cluster.haproxy import Haproxy
from podstore.cluster.nodes import Node
from podstore.cluster.postgres import LocalPostgres
from podstore.cluster.procs import free_port
from podstore.cluster.seaweed import ACCESS_KEY, SECRET_KEY, LocalSeaweed


class Cluster:
    def __init__(
        self,
        workdir: Path,
        *,
        nodes: int = 3,
        port: int | None = None,
        database_url: str | None = None,
        s3_endpoint: str | None = None,
        bucket: str = "podstore",
        env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.s3_endpoint = s3_endpoint
        self.bucket = bucket
        self.extra_env = env or {}
        self.count = nodes
        self.postgres: LocalPostgres | None = None
        self.seaweed: LocalSeaweed | None = None
        self.nodes: list[Node] = []
        self.haproxy: Haproxy | None = None

    def node_env(self) -> dict[str, str]:
        assert self.database_url and self.s3_endpoint
        env = {k: v for k, v in os.environ.items() if not k.startswith("PODSTORE_")}
        env |= {
            "PODSTORE_DATABASE_URL": self.database_url,
            "PODSTORE_PUBLIC_URL": self.url,
            "PODSTORE_STORAGE__KIND": "s3",
            "PODSTORE_STORAGE__ENDPOINT": self.s3_endpoint,
            "PODSTORE_STORAGE__BUCKET": self.bucket,
            "PODSTORE_STORAGE__ACCESS_KEY": ACCESS_KEY,
            "PODSTORE_STORAGE__SECRET_KEY": SECRET_KEY,
        }
        return env | self.extra_env

    def up(self, timeout: float = 90.0) -> None:
        """Start everything; the nodes all at the same moment, on a database that may be
        empty. Returns once haproxy sends requests to ready nodes."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.database_url is None:
            self.postgres = LocalPostgres.start(self.workdir / "postgres")
            self.database_url = self.postgres.url()
        if self.s3_endpoint is None:
            self.seaweed = LocalSeaweed.start(self.workdir / "seaweed")
            self.s3_endpoint = self.seaweed.endpoint_url
        env = self.node_env()
        self.nodes = [
            Node(f"node{i}", self.workdir / "nodes", free_port(), env)
            for i in range(1, self.count + 1)
        ]
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            node.wait_ready(timeout)
        self.haproxy = Haproxy(
            self.workdir / "haproxy", self.port, {n.name: n.port for n in self.nodes}
        )
        self.haproxy.start()
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError("haproxy never reached a ready node")

    def down(self) -> None:
        if self.haproxy is not None:
            self.haproxy.stop()
        for node in self.nodes:
            node.stop()
        if self.seaweed is not None:
            self.seaweed.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def __enter__(self) -> Cluster:
        try:
            self.up()
        except BaseException:
            self.down()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.down()


def serve_until_stopped(cluster: Cluster, say: Callable[[str], None] = print) -> None:
    """Bring `cluster` up, then wait for Ctrl-C or SIGTERM, then stop it all."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        with cluster:
            say(f"podstore cluster at {cluster.url}  ({cluster.count} nodes behind haproxy)")
            for node in cluster.nodes:
                say(f"  {node.name}: {node.url}  (log {node.child.log_path})")
            say(f"  database: {cluster.database_url}")
            say(f"  S3: {cluster.s3_endpoint} bucket {cluster.bucket}")
            say("Ctrl-C stops it all.")
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    finally:
        signal.signal(signal.SIGTERM, previous)
