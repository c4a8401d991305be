"""kill -9 during concurrent uploads: every acknowledged upload is intact, no other is visible."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator

import httpx

from tests.fixtures.server import Server

UPLOADS = 20
SIZE = 6 * 1024 * 1024
PIECE = 256 * 1024


def test_kill_9_during_uploads(server: Server) -> None:
    user = server.new_user(pod="crash")
    payloads = {f"f{n:02d}.bin": os.urandom(SIZE) for n in range(UPLOADS)}
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()

    def trickle(data: bytes) -> Iterator[bytes]:
        """24 pieces a fifth of a second apart: still in flight when the server dies."""
        for start in range(0, len(data), PIECE):
            yield data[start : start + PIECE]
            time.sleep(0.2)

    def upload(name: str, data: bytes) -> None:
        slow = int(name[1:3]) % 2 == 1  # half trickle, half go at full speed
        try:
            with httpx.Client(
                base_url=server.api_url,
                timeout=60,
                headers={"Authorization": f"Bearer {user.token}"},
            ) as client:
                response = client.put(
                    f"/pods/crash/files/{name}",
                    content=trickle(data) if slow else data,
                    headers={"Content-Length": str(len(data))},
                )
            if response.status_code in (200, 201):
                with lock:
                    acknowledged[name] = hashlib.sha256(data).hexdigest()
        except httpx.HTTPError:
            pass

    threads = [threading.Thread(target=upload, args=item) for item in payloads.items()]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30  # the quick half is acknowledged, the slow half in flight
    while len(acknowledged) < UPLOADS // 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    for thread in threads:
        thread.join(timeout=60)
    server.start()

    listing = user.get("/pods/crash/list").json()["entries"]
    visible = {e["name"]: e for e in listing}
    assert len(acknowledged) >= UPLOADS // 2
    assert set(acknowledged) <= set(visible)
    for name, entry in visible.items():
        assert entry["size"] == SIZE, name  # nothing half-written is visible
        body = user.get(f"/pods/crash/files/{name}").content
        assert hashlib.sha256(body).hexdigest() == hashlib.sha256(payloads[name]).hexdigest()
    assert len(visible) < UPLOADS, "the kill came too late to interrupt anything"
