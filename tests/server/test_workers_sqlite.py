"""Two worker processes on one SQLite database (DESIGN.md §7): a real `podstore serve` with
PODSTORE_WORKERS=2, each request sent on a connection known to be held by one worker (found
through /proc), so "written through one, seen through the other" is what is checked.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.ports import free_port
from tests.fixtures.server import Server, listener_env, server_env
from tests.server.test_listeners import children, cmdline

EVENT_POLL_SECONDS = 2.0  # how often a follower re-reads the table without being woken


class Pinned:
    """A keep-alive HTTP connection that one known worker process holds."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(
        self, method: str, path: str, token: str, body: bytes | None = None
    ) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {token}"}
        self.conn.request(method, "/api/v1" + path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def json(self, method: str, path: str, token: str, body: Any = None) -> Any:
        status, data = self.call(method, path, token, json.dumps(body).encode())
        assert status < 300, (status, data)
        return json.loads(data)


def _listening_inodes(port: int) -> list[str]:
    inodes = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":  # LISTEN
            inodes.append(fields[9])
    return inodes


def _socket_inode(client_port: int, server_port: int) -> str:
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == (
            client_port
        ):
            return fields[9]
    raise LookupError(f"no server socket for client port {client_port}")


def _holder(inode: str, pids: list[int]) -> int | None:
    wanted = f"socket:[{inode}]"
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if fd.readlink().name == wanted:
                    return pid
            except OSError:
                continue
    return None


class TwoWorkers:
    def __init__(self, server: Server, pids: list[int]) -> None:
        self.server = server
        self.pids = pids

    def pinned(self, count: int) -> dict[int, list[Pinned]]:
        """`count` open connections held by each worker."""
        found: dict[int, list[Pinned]] = {pid: [] for pid in self.pids}
        for _ in range(count * 40):
            if all(len(conns) >= count for conns in found.values()):
                return found
            one = Pinned(self.server.port)
            one.conn.request("GET", "/healthz")
            one.conn.getresponse().read()  # accepted and answered: a worker holds it
            port = one.conn.sock.getsockname()[1]
            holder = _holder(_socket_inode(port, self.server.port), self.pids)
            if holder is not None and len(found[holder]) < count:
                found[holder].append(one)
            else:
                one.conn.close()
        raise AssertionError("the kernel never spread the connections over both workers")


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoWorkers]:
    root = tmp_path_factory.mktemp("workers")
    # a long cache, so a revocation that did not reach a worker would show
    ports = {"bitdust": free_port(), "fairos": free_port()}
    env = server_env(
        root / "data",
        None,
        PODSTORE_WORKERS="2",
        PODSTORE_SESSION_CACHE_SECONDS="600",
        **listener_env(ports),
    )
    srv = Server(root / "data", env, listener_ports=ports)
    srv.start()
    try:
        assert srv.proc is not None
        pids = [pid for pid in children(srv.proc.pid) if b"spawn_main" in cmdline(pid)]
        assert len(pids) == 2
        yield TwoWorkers(srv, pids)
    finally:
        srv.stop()


def test_parallel_writes_through_both_workers_all_land(two: TwoWorkers) -> None:
    user = two.server.new_user(pod="home")
    conns = [c for held in two.pinned(6).values() for c in held]

    def put_many(index: int) -> list[int]:
        conn = conns[index]
        return [
            conn.call("PUT", f"/pods/home/files/w{index}-{n}", user.token, b"%d-%d" % (index, n))[0]
            for n in range(15)
        ]

    with ThreadPoolExecutor(len(conns)) as pool:
        statuses = [s for batch in pool.map(put_many, range(len(conns))) for s in batch]
    assert statuses == [201] * len(conns) * 15
    listing = user.get("/pods/home/list", params={"limit": 1000})
    assert listing.status_code == 200
    names = {entry["name"] for entry in listing.json()["entries"]}
    assert names == {f"w{i}-{n}" for i in range(len(conns)) for n in range(15)}
    other = conns[-1]  # every file reads back through one worker, whichever wrote it
    for i in range(len(conns)):
        assert other.call("GET", f"/pods/home/files/w{i}-14", user.token) == (200, b"%d-14" % i)


def test_an_event_written_through_one_worker_wakes_a_follower_on_the_other(
    two: TwoWorkers,
) -> None:
    user = two.server.new_user(pod="home")
    (follower,), (writer,) = two.pinned(1).values()
    last = follower.json("GET", "/events/poll?timeout=0", user.token)["last_seq"]
    got: dict[str, Any] = {}

    def follow() -> None:
        started = time.monotonic()
        got["body"] = follower.json("GET", f"/events/poll?after={last}&timeout=30", user.token)
        got["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=follow)
    thread.start()
    time.sleep(0.3)  # let the long-poll reach the worker and wait there
    assert writer.call("PUT", "/pods/home/files/news.txt", user.token, b"hello")[0] == 201
    thread.join(40)
    assert [e["seq"] for e in got["body"]["events"]] and got["body"]["last_seq"] > last
    # woken by the other worker's note, not found by the periodic re-read
    assert got["seconds"] < EVENT_POLL_SECONDS


def test_a_logout_through_one_worker_ends_the_session_on_both(two: TwoWorkers) -> None:
    user = two.server.new_user(pod="home")
    held = list(two.pinned(1).values())
    (first,), (second,) = held
    for conn in (first, second):  # each worker has checked, and cached, the token
        assert conn.call("GET", "/me", user.token)[0] == 200
    assert first.call("POST", "/logout", user.token)[0] == 204
    assert second.call("GET", "/me", user.token)[0] == 401
    assert first.call("GET", "/me", user.token)[0] == 401


def test_every_worker_listens_but_bitdust_is_served_by_one(two: TwoWorkers) -> None:
    def listeners(port: int) -> set[int | None]:
        return {_holder(inode, two.pids) for inode in _listening_inodes(port)}

    assert listeners(two.server.port) == set(two.pids)
    assert listeners(two.server.listener_ports["fairos"]) == set(two.pids)
    # BitDust keeps a client's consumers in the process: one worker, whichever connection
    assert len(listeners(two.server.listener_ports["bitdust"])) == 1
