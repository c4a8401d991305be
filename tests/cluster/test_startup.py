"""Nodes started together on an empty database; `/readyz`; singleton jobs (issue 21, test 1)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import sqlalchemy as sa

from podstore.cluster.nodes import Node
from podstore.cluster.up import Cluster
from podstore.meta.locks import lock_key
from tests.fixtures.ports import free_port
from tests.fixtures.postgres import PostgresCluster


def _dsn(database_url: str) -> str:
    url = sa.engine.make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _waiting(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    found = conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
    return int(found[0]) if found else 0


def test_three_nodes_migrating_at_the_same_moment_all_come_up(
    cluster: Cluster, postgres: PostgresCluster, tmp_path: Path
) -> None:
    """The nodes are held at the start of their migration (by a lock on alembic's version
    table, empty as alembic makes it), then all let go at once."""
    database_url = postgres.new_database()
    env = {**cluster.node_env(), "PODSTORE_DATABASE_URL": database_url}
    nodes = [Node(f"n{i}", tmp_path, free_port(), env) for i in range(3)]
    with psycopg.connect(_dsn(database_url)) as gate:
        gate.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
        gate.commit()
        gate.execute("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE")
        try:
            for node in nodes:
                node.start()
            deadline = time.monotonic() + 60
            while _waiting(gate) < len(nodes):
                assert time.monotonic() < deadline, [n.child.log() for n in nodes]
                time.sleep(0.05)
            gate.commit()
            for node in nodes:
                node.wait_ready()
                assert node.child.running
        finally:
            gate.rollback()
            for node in nodes:
                node.stop()


def test_the_package_cluster_started_together_serves(cluster: Cluster) -> None:
    for node in cluster.nodes:
        assert node.child.running, node.child.log()
        ready = httpx.get(node.url + "/readyz", timeout=10)
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "database": "ok", "store": "ok"}
        assert httpx.get(node.url + "/healthz", timeout=10).status_code == 200
        assert "Traceback" not in node.child.log(100_000)


def test_readyz_through_haproxy(cluster: Cluster) -> None:
    answer = httpx.get(cluster.url + "/readyz", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["status"] == "ready"


def _gc(cluster: Cluster, data: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "podstore", "gc"],
        env={**cluster.node_env(), "PODSTORE_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_gc_runs_on_one_node_at_a_time(cluster: Cluster, tmp_path: Path) -> None:
    assert cluster.database_url
    with psycopg.connect(_dsn(cluster.database_url), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (lock_key("gc"),))  # another node's gc
        assert _gc(cluster, tmp_path) == {"skipped": "another node is running gc"}
        other.execute("SELECT pg_advisory_unlock(%s)", (lock_key("gc"),))
    ran = _gc(cluster, tmp_path)
    assert "skipped" not in ran and "expired_uploads" in ran
