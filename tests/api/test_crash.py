"""kill -9 during concurrent uploads: every acknowledged upload is intact, no other is visible."""

from __future__ import annotations

import hashlib
import os
import threading
import time

import httpx

from tests.fixtures.server import Server

UPLOADS = 20
SIZE = 6 * 1024 * 1024


def test_kill_9_during_uploads(server: Server) -> None:
    user = server.new_user(pod="crash")
    payloads = {f"f{n:02d}.bin": os.urandom(SIZE) for n in range(UPLOADS)}
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()

    def slow_body(data: bytes):  # type: ignore[no-untyped-def]
        for start in range(0, len(data), 256 * 1024):
            yield data[start : start + 256 * 1024]
            time.sleep(0.02)

    def upload(name: str, data: bytes) -> None:
        try:
            with httpx.Client(
                base_url=server.api_url,
                timeout=60,
                headers={"Authorization": f"Bearer {user.token}"},
            ) as client:
                response = client.put(
                    f"/pods/crash/files/{name}",
                    content=slow_body(data),
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
    time.sleep(0.9)  # some uploads have finished, most are in flight
    server.kill()
    for thread in threads:
        thread.join(timeout=60)
    server.start()

    listing = user.get("/pods/crash/list").json()["entries"]
    visible = {e["name"]: e for e in listing}
    assert set(acknowledged) <= set(visible)
    for name, entry in visible.items():
        assert entry["size"] == SIZE, name  # nothing half-written is visible
        body = user.get(f"/pods/crash/files/{name}").content
        assert hashlib.sha256(body).hexdigest() == hashlib.sha256(payloads[name]).hexdigest()
    assert len(visible) < UPLOADS, "the kill came too late to interrupt anything"
