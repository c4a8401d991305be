"""One process serves every enabled listener from one Core (DESIGN.md §10).

Real `podstore serve` processes over HTTP: a second listener of the main app on its own
port, the refusals of settings the server cannot run, and workers on PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fixtures.ports import free_port
from tests.fixtures.postgres import PostgresCluster
from tests.fixtures.server import Server, server_env


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


@pytest.fixture(scope="module")
def two_listeners(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    root = tmp_path_factory.mktemp("listeners")
    second = free_port()
    env = server_env(
        root / "data",
        None,
        PODSTORE_LISTENERS__SECOND__APP="main",
        PODSTORE_LISTENERS__SECOND__PORT=str(second),
        # two Cores would each trust a checked token for an hour, whatever the other did
        PODSTORE_SESSION_CACHE_SECONDS="3600",
    )
    srv = Server(root / "data", env)
    srv.start()
    try:
        yield srv, second
    finally:
        srv.stop()


def test_two_listeners_share_one_core(two_listeners: tuple[Server, int]) -> None:
    server, second_port = two_listeners
    user = server.new_user(pod="home")
    other = httpx.Client(
        base_url=f"http://127.0.0.1:{second_port}/api/v1",
        headers={"Authorization": f"Bearer {user.token}"},
    )
    data = os.urandom(300_000)
    assert user.put("/pods/home/files/a.bin", content=data).status_code == 201
    assert other.get("/pods/home/files/a.bin").content == data
    assert other.post("/pods/home/kv", json={"name": "t"}).status_code == 201
    assert other.put("/pods/home/kv/t/k", content=b"v").status_code == 201
    assert user.get("/pods/home/kv/t/k").content == b"v"
    # the second listener has checked the token; a logout through the first ends it there
    # at once: the session cache it consults is the same Core's
    assert other.get("/me").status_code == 200
    assert user.post("/logout").status_code == 204
    assert other.get("/me").status_code == 401
    # and both ports are this one process's: no worker processes, hence one writer
    assert server.proc is not None
    assert children(server.proc.pid) == []


def test_a_second_server_on_a_taken_port_is_refused(
    two_listeners: tuple[Server, int], tmp_path: Path
) -> None:
    server, second_port = two_listeners
    user = server.new_user(pod="home")
    assert user.put("/pods/home/files/mine", content=b"first server").status_code == 201
    for port in (server.port, second_port):  # the main listener's, and an extra one's
        done = subprocess.run(
            [sys.executable, "-m", "podstore", "serve", "--port", str(port)],
            env=server_env(tmp_path / "data", None),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0
        assert f"cannot listen on 127.0.0.1:{port}: it is already in use" in done.stderr
        assert "Traceback" not in done.stderr
        assert not (tmp_path / "data").exists()
    for _ in range(8):  # fresh connections: every one still reaches the first server
        with server.client(user.token) as fresh:
            assert fresh.get("/pods/home/files/mine").content == b"first server"


PORT = free_port()  # in the ids only as {port}: each xdist worker collects its own


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PODSTORE_WORKERS": "0"}, "PODSTORE_WORKERS must be at least 1"),
        ({"PODSTORE_FRONTENDS__HASURA__PERMISSIONS": "webhook"}, "webhook needs a hook_url"),
        ({"PODSTORE_LISTENERS__X__APP": "nosuch", "PODSTORE_LISTENERS__X__PORT": "1"}, "nosuch"),
        (
            {
                "PODSTORE_LISTENERS__AGAIN__APP": "main",
                "PODSTORE_LISTENERS__AGAIN__PORT": "{port}",
            },
            "listeners main and again both ask for 127.0.0.1:{port}",
        ),
    ],
)
def test_settings_the_server_cannot_run_are_refused(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    env = {name: value.format(port=PORT) for name, value in env.items()}
    done = subprocess.run(
        [sys.executable, "-m", "podstore", "serve", "--port", str(PORT)],
        env=server_env(tmp_path / "data", None, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert message.format(port=PORT) in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was created


@pytest.mark.postgres
def test_workers_on_postgresql(postgres: PostgresCluster, tmp_path: Path) -> None:
    url = postgres.new_database()
    srv = Server(tmp_path / "data", server_env(tmp_path / "data", url, PODSTORE_WORKERS="2"))
    srv.start()
    try:
        assert srv.proc is not None
        workers = [
            pid for pid in children(srv.proc.pid) if b"spawn_main" in cmdline(pid)
        ]  # (the other child is multiprocessing's resource tracker)
        assert len(workers) == 2
        user = srv.new_user(pod="home")
        for i in range(8):  # new connections, spread by the kernel over both workers
            assert user.put(f"/pods/home/files/{i}", content=b"x%d" % i).status_code == 201
            with srv.client(user.token) as fresh:
                assert fresh.get(f"/pods/home/files/{i}").content == b"x%d" % i
    finally:
        srv.stop()
    assert srv.proc is None
