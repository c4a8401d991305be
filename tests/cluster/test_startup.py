"""Nodes started together on an empty database; `/readyz`; singleton jobs (issue 21, test 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import sqlalchemy as sa

from podstore.cluster.up import Cluster
from podstore.meta.locks import lock_key


def test_three_nodes_started_together_on_an_empty_database_all_serve(cluster: Cluster) -> None:
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
    url = sa.engine.make_url(cluster.database_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (lock_key("gc"),))  # another node's gc
        assert _gc(cluster, tmp_path) == {"skipped": "another node is running gc"}
        other.execute("SELECT pg_advisory_unlock(%s)", (lock_key("gc"),))
    ran = _gc(cluster, tmp_path)
    assert "skipped" not in ran and "expired_uploads" in ran
