"""`podstore gc` and `podstore fsck` on a real data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.fixtures.server import Server, server_env


def blobs(data: Path) -> list[Path]:
    return sorted(
        p for p in (data / "blobs").rglob("*") if p.is_file() and not p.name.startswith(".")
    )


def podstore(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podstore", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
    )


def test_gc_frees_only_unreferenced_chunks_and_fsck_finds_damage(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = server_env(data, None, PODSTORE_GC_GRACE_SECONDS="0", PODSTORE_EVENT_RETENTION_DAYS="0")
    server = Server(data, env)
    server.start()
    try:
        user = server.new_user(pod="p")
        keep, doomed = os.urandom(3_000_000), os.urandom(3_000_000)
        assert user.put("/pods/p/files/keep.bin", content=keep).status_code == 201
        stored_keep = set(blobs(data))
        assert user.put("/pods/p/files/doomed.bin", content=doomed).status_code == 201
        assert len(blobs(data)) > len(stored_keep)
        user.delete("/pods/p/files/doomed.bin")
        user.delete("/pods/p/trash")
        assert user.get("/events/poll", params={"after": 0, "timeout": 0}).json()["events"]
    finally:
        server.stop()

    collected = podstore(env, "gc")
    assert collected.returncode == 0, collected.stderr
    assert set(blobs(data)) == stored_keep

    clean = podstore(env, "fsck")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    victim = sorted(stored_keep)[0]
    raw = bytearray(victim.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    victim.write_bytes(bytes(raw))
    damaged = podstore(env, "fsck")
    assert damaged.returncode == 1
    assert "could not be repaired" in damaged.stderr

    victim.unlink()
    missing = podstore(env, "fsck")
    assert missing.returncode == 1

    server.start()
    try:
        # gc dropped the events older than the retention (here: all of them)
        assert user.get("/events/poll", params={"after": 0, "timeout": 0}).json()["events"] == []
        try:
            response = user.get("/pods/p/files/keep.bin")
            # damaged data is an error status, or a body cut short: never wrong bytes
            assert response.status_code in (500, 503)
            assert response.headers["content-type"].startswith("application/problem+json")
        except httpx.RemoteProtocolError:
            pass
    finally:
        server.stop()
