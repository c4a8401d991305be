"""`podstore put`: killed at half way, a re-run sends only what is missing; re-uploads are free."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import blake3
import pytest

from podstore.cli.chunking import hashed_chunks
from tests.fixtures.server import Server, User

MiB = 1024 * 1024
SENT = re.compile(r"sent (\d+) chunk\(s\), (\d+) bytes; skipped (\d+) chunk\(s\), (\d+) bytes")


def cli_env(server: Server, user: User, home: Path) -> dict[str, str]:
    return {
        **server.env,
        "PODSTORE_URL": server.url,
        "PODSTORE_TOKEN": user.token,
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "COLUMNS": "200",
    }


def put(env: dict[str, str], *args: str) -> tuple[int, int, int, int]:
    done = subprocess.run(
        [sys.executable, "-m", "podstore", "put", *args],
        env=env,
        capture_output=True,
        timeout=300,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = SENT.search(" ".join(done.stdout.split()))
    assert found, done.stdout
    chunks, sent, skipped_chunks, skipped = map(int, found.groups())
    return chunks, sent, skipped_chunks, skipped


def digest_of(user: User, path: str) -> str:
    sha = hashlib.sha256()
    with user.stream("GET", f"/pods/home/files/{path}") as response:
        assert response.status_code == 200
        for piece in response.iter_bytes(MiB):
            sha.update(piece)
    return sha.hexdigest()


def write_random(path: Path, size: int) -> str:
    sha = hashlib.sha256()
    with path.open("wb") as out:
        for _ in range(size // (8 * MiB)):
            block = os.urandom(8 * MiB)
            sha.update(block)
            out.write(block)
    return sha.hexdigest()


def test_killed_put_resumes_with_the_missing_chunks(
    server: Server, user: User, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    expected = write_random(source, 200 * MiB)
    env = cli_env(server, user, tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "podstore", "put", "--jobs", "2", str(source), "home/big.bin"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    session = None
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            uploads = user.get("/uploads").json()["uploads"]
            if uploads and uploads[0]["received_bytes"] >= 100 * MiB:
                session = uploads[0]
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    if session is None:
        pytest.fail("the upload finished or stalled before it could be interrupted")
    status = user.get(f"/uploads/{session['id']}").json()
    # `put` declares the chunk list in parts while it hashes: when it was killed, the last
    # chunks may not have been declared yet, and the server does not list those as missing
    total = sum(1 for _ in hashed_chunks(source, user.get("/pods/home/chunk-params").json()))
    remaining = len(status["missing"]) + total - status["chunks"]
    assert 0 < remaining < total
    assert status["received_bytes"] < 200 * MiB
    assert user.get("/pods/home/files/big.bin").status_code == 404
    chunks, sent, skipped_chunks, _ = put(env, "--resume", str(source), "home/big.bin")
    assert chunks <= remaining + 1
    assert chunks + skipped_chunks == total
    assert sent <= 200 * MiB - status["received_bytes"] + 8 * MiB
    assert digest_of(user, "big.bin") == expected
    # identical re-upload, to the same and to another path, from saved state and hashing again
    assert put(env, str(source), "home/big.bin")[:2] == (0, 0)
    assert put(env, "--fresh", str(source), "home/copy.bin")[:2] == (0, 0)
    assert digest_of(user, "copy.bin") == expected
    assert user.get("/uploads").json()["uploads"] == []


def test_folders_small_files_and_edits(server: Server, user: User, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "small.txt").write_bytes(b"hello")
    (tree / "sub" / "empty").write_bytes(b"")
    write_random(tree / "sub" / "mid.bin", 16 * MiB)
    env = cli_env(server, user, tmp_path)
    put(env, str(tree), "home/tree")
    assert user.get("/pods/home/files/tree/small.txt").content == b"hello"
    assert user.get("/pods/home/files/tree/sub/empty").content == b""
    # a one-byte edit in the middle: at most two chunks are sent again
    data = bytearray((tree / "sub" / "mid.bin").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tree / "sub" / "mid.bin").write_bytes(data)
    chunks, _, _, _ = put(env, str(tree / "sub" / "mid.bin"), "home/tree/sub/mid.bin")
    assert 1 <= chunks <= 2
    assert user.get("/pods/home/files/tree/sub/mid.bin").content == bytes(data)
    assert put(env, "--raw", str(tree / "small.txt"), "home/raw.txt")[1] == 5


def test_reupload_is_cut_along_the_copy_there(server: Server, user: User, tmp_path: Path) -> None:
    """A file uploaded some other way is re-put by hashing along the cuts of the copy there,
    as far as the pod has those chunks, and cut afresh only from the first change on."""
    source = tmp_path / "along.bin"
    write_random(source, 24 * MiB)
    data = source.read_bytes()
    assert user.put("/pods/home/files/along.bin", content=data).status_code == 201
    env = cli_env(server, user, tmp_path)
    assert put(env, str(source), "home/along.bin")[:2] == (0, 0)

    # one byte inserted: the chunks before it are known, the rest is cut again and meets
    # the old cuts within a chunk or two
    edited = data[: 18 * MiB] + b"+" + data[18 * MiB :]
    source.write_bytes(edited)
    chunks, sent, _, _ = put(env, str(source), "home/along.bin")
    assert 1 <= chunks <= 3 and sent <= 3 * 4 * MiB
    assert user.get("/pods/home/files/along.bin").content == edited

    # a copy cut in other places (a client with other chunk sizes): an unchanged file is
    # still known whole, and a shorter one up to the last whole chunk it still has
    # (content of its own: cut the usual way, none of its chunks is in the pod)
    fixed = 3 * MiB
    write_random(source, 24 * MiB)
    data = source.read_bytes()
    pieces = [data[o : o + fixed] for o in range(0, len(data), fixed)]
    body = {
        "path": "fixed.bin",
        "size": len(data),
        "chunks": [{"size": len(p), "hash": blake3.blake3(p).hexdigest()} for p in pieces],
    }
    session = user.post("/pods/home/uploads", json=body).json()
    for i in session["missing"]:
        assert user.put(f"/uploads/{session['id']}/chunks/{i}", content=pieces[i]).is_success
    assert user.post(f"/uploads/{session['id']}/commit").status_code == 201
    assert put(env, "--fresh", str(source), "home/fixed.bin")[:2] == (0, 0)
    source.write_bytes(data[: 20 * MiB + 123])
    chunks, sent, _, skipped = put(env, str(source), "home/fixed.bin")
    assert skipped == 6 * fixed and sent == 2 * MiB + 123
    assert user.get("/pods/home/files/fixed.bin").content == data[: 20 * MiB + 123]

    # another file under the same name: nothing of it is known, all of it is sent
    other = os.urandom(12 * MiB)
    source.write_bytes(other)
    chunks, sent, _, _ = put(env, str(source), "home/fixed.bin")
    assert sent == len(other)
    assert user.get("/pods/home/files/fixed.bin").content == other
