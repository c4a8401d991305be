"""PostgreSQL stopped under load: only 503s with Retry-After, recovery without a restart,
and every write that was acknowledged is there afterwards."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from podstore.cluster.postgres import LocalPostgres
from tests.fixtures.server import Server, server_env

CLIENTS = 4


class Load:
    """A few clients writing small files and reading back what they wrote, until stopped."""

    def __init__(self, server: Server, token: str) -> None:
        self.server, self.token = server, token
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.missing_retry_after = 0
        self.acknowledged: dict[str, bytes] = {}
        self.last_ok = 0.0
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(CLIENTS)]

    def run(self, n: int) -> None:
        try:
            self.drive(n)
        except Exception as exc:  # a hang (timeout) or a dropped connection fails the test
            with self.lock:
                self.errors.append(repr(exc))

    def drive(self, n: int) -> None:
        client = self.server.client(self.token)
        client.timeout = httpx.Timeout(15)
        i, last_written = 0, ""
        while not self.stop.is_set():
            i += 1
            path = f"/pods/p/files/c{n}/f{i}"
            body = f"client {n} write {i}".encode()
            answers = [client.put(path, content=body)]
            if answers[0].status_code in (200, 201):
                last_written = path
                with self.lock:
                    self.acknowledged[path] = body
            if last_written:
                answers.append(client.get(last_written))
            with self.lock:
                for answer in answers:
                    self.statuses[answer.status_code] += 1
                    if answer.status_code == 503 and "retry-after" not in answer.headers:
                        self.missing_retry_after += 1
                    if answer.status_code < 300:
                        self.last_ok = time.monotonic()
            time.sleep(0.02)
        client.close()

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def first_success_after(load: Load, since: float, within: float) -> float | None:
    deadline = since + within
    while time.monotonic() < deadline:
        if load.last_ok > since:
            return load.last_ok - since
        time.sleep(0.05)
    return None


def test_postgresql_outage_answers_503_and_loses_nothing(
    own_postgres: LocalPostgres, tmp_path: Path
) -> None:
    url = own_postgres.new_database()
    server = Server(tmp_path / "data", server_env(tmp_path / "data", url))
    server.start()
    try:
        user = server.new_user(pod="p")
        with Load(server, user.token) as load:
            time.sleep(2)
            own_postgres.stop("fast")
            stopped = time.monotonic()
            time.sleep(8)
            LocalPostgres.start(own_postgres.root, own_postgres.port)
            restarted = time.monotonic()
            recovery = first_success_after(load, restarted, within=15)
            time.sleep(2)
        assert load.errors == []
        assert load.statuses[503] > 0, load.statuses  # the outage was seen
        assert set(load.statuses) <= {200, 201, 503}, load.statuses
        assert load.missing_retry_after == 0
        assert recovery is not None, (
            f"no success within 15 s of PostgreSQL's return: {load.statuses}"
        )
        assert restarted - stopped >= 8
        assert server.proc is not None and server.proc.poll() is None
        for path, body in load.acknowledged.items():
            got = user.get(path)
            assert got.status_code == 200 and got.content == body, path
        assert len(load.acknowledged) > 20
        print(f"statuses {dict(load.statuses)}, recovered {recovery:.2f} s after restart")
    finally:
        server.stop()
