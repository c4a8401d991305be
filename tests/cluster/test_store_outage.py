"""The S3 store frozen (SIGSTOP) for 10 s, then killed for 10 s, while clients upload 1 MiB
files through haproxy (issue 21, test 7): each request answers 503 with Retry-After or
stalls less than the clients' timeout, and afterwards every acknowledged file reads back
whole, and every other attempted file is either absent or whole (no half-written version).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

import httpx

from podstore.cluster.up import Cluster
from tests.cluster.conftest import api, new_user

CLIENTS = 4
SIZE = 1024 * 1024  # above the inline threshold: each file's content goes to S3
REQUEST_TIMEOUT = 30.0
OUTAGE = 10.0


class Uploads:
    """Clients writing 1 MiB files and reading the last one back, until stopped."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.without_retry_after = 0
        self.attempted: dict[str, bytes] = {}
        self.acknowledged: set[str] = set()
        self.last_ok = 0.0
        self.longest = 0.0
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(CLIENTS)]

    def run(self, n: int) -> None:
        try:
            with api(self.url, self.token) as client:
                client.timeout = httpx.Timeout(REQUEST_TIMEOUT)
                self.drive(client, n)
        except Exception as exc:  # a timeout (a stall past the request timeout) fails the test
            with self.lock:
                self.errors.append(repr(exc))

    def drive(self, client: httpx.Client, n: int) -> None:
        i, last = 0, ""
        while not self.stop.is_set():
            i += 1
            path = f"/pods/home/files/c{n}/f{i}.bin"
            body = os.urandom(SIZE)
            with self.lock:
                self.attempted[path] = body
            started = time.monotonic()
            answers = [client.put(path, content=body)]
            if answers[0].status_code in (200, 201):
                last = path
                with self.lock:
                    self.acknowledged.add(path)
            if last:
                answers.append(client.get(last))
                if answers[-1].status_code == 200 and answers[-1].content != self.attempted[last]:
                    self.errors.append(f"{last} read back different")
            took = time.monotonic() - started
            with self.lock:
                self.longest = max(self.longest, took)
                for answer in answers:
                    self.statuses[answer.status_code] += 1
                    if answer.status_code == 503 and "retry-after" not in answer.headers:
                        self.without_retry_after += 1
                    if answer.status_code < 300:
                        self.last_ok = time.monotonic()
            if answers[0].status_code == 503:
                time.sleep(0.2)

    def succeeded_since(self, moment: float, within: float) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.last_ok > moment:
                return True
            time.sleep(0.05)
        return False

    def __enter__(self) -> Uploads:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=2 * REQUEST_TIMEOUT)


def test_store_frozen_then_killed_during_uploads(cluster: Cluster) -> None:
    weed = cluster.seaweed
    assert weed is not None
    _, token = new_user(cluster.url)
    with Uploads(cluster.url, token) as load:
        time.sleep(1)
        try:
            weed.freeze()
            time.sleep(OUTAGE)
        finally:
            weed.thaw()
        thawed = time.monotonic()
        assert load.succeeded_since(thawed, within=15), load.statuses
        weed.kill()
        try:
            time.sleep(OUTAGE)
        finally:
            weed.restart()
        restarted = time.monotonic()
        assert load.succeeded_since(restarted, within=15), load.statuses
        time.sleep(1)
    print(
        f"statuses {dict(load.statuses)}, {len(load.acknowledged)} acknowledged of "
        f"{len(load.attempted)}, longest request {load.longest:.1f} s"
    )
    assert load.errors == []
    assert load.statuses[503] > 0  # the kill was seen
    assert set(load.statuses) <= {200, 201, 503}, load.statuses
    assert load.without_retry_after == 0
    assert load.longest < REQUEST_TIMEOUT
    with api(cluster.url, token) as client:
        for path, body in load.attempted.items():
            got = client.get(path)
            if path in load.acknowledged:
                assert got.status_code == 200 and got.content == body, path
            else:
                assert got.status_code == 404 or got.content == body, (path, got.status_code)
