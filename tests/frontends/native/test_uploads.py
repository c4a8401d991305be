"""The chunk-list upload handshake over HTTP: dedup, resume, corrupt chunks, limits, expiry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import blake3
import pytest

from podstore.storage.chunker import ChunkParams, cut_all
from tests.fixtures.server import Server, User, server_env

MiB = 1024 * 1024


def chunk_list(user: User, data: bytes) -> tuple[list[tuple[int, int]], list[dict[str, object]]]:
    p = user.get("/pods/home/chunk-params").json()
    cuts = cut_all(data, ChunkParams(p["min_size"], p["avg_size"], p["max_size"]))
    return cuts, [{"size": n, "hash": blake3.blake3(data[o : o + n]).hexdigest()} for o, n in cuts]


def send(user: User, upload_id: str, data: bytes, cuts: list[tuple[int, int]], idx: int) -> None:
    o, n = cuts[idx]
    r = user.put(f"/uploads/{upload_id}/chunks/{idx}", content=data[o : o + n])
    assert r.status_code == 200, r.text


def open_upload(user: User, path: str, data: bytes) -> tuple[list[tuple[int, int]], str]:
    """A new session for `data` at `path`: the cuts and the session id."""
    cuts, chunks = chunk_list(user, data)
    body = {"path": path, "size": len(data), "chunks": chunks}
    created = user.post("/pods/home/uploads", json=body)
    assert created.status_code == 201, created.text
    return cuts, str(created.json()["id"])


def test_upload_resume_and_identical_reupload(user: User) -> None:
    data = os.urandom(12 * MiB)
    cuts, chunks = chunk_list(user, data)
    body = {"path": "hs/one.bin", "size": len(data), "chunks": chunks}
    created = user.post("/pods/home/uploads", json=body)
    assert created.status_code == 201, created.text
    first = created.json()
    assert first["missing"] == list(range(len(cuts))) and first["state"] == "open"
    half = len(cuts) // 2
    for i in range(half):
        send(user, first["id"], data, cuts, i)
    # a new client declares the same file: same session, only the rest is missing
    again = user.post("/pods/home/uploads", json=body).json()
    assert again["id"] == first["id"]
    assert again["missing"] == list(range(half, len(cuts)))
    assert user.get(f"/uploads/{first['id']}").json()["received_bytes"] == cuts[half][0]
    assert first["id"] in [u["id"] for u in user.get("/uploads").json()["uploads"]]
    # the rest as one body holding several consecutive chunks; a partial chunk is refused
    rest = data[cuts[half][0] :]
    partial = user.put(f"/uploads/{first['id']}/chunks/{half}", content=rest[:-1])
    assert partial.status_code == 400
    whole = user.put(f"/uploads/{first['id']}/chunks/{half}", content=rest)
    assert whole.status_code == 200 and whole.json()["chunks"] == len(cuts) - half
    done = user.post(f"/uploads/{first['id']}/commit")
    assert done.status_code == 201, done.text
    assert done.headers["etag"].strip('"') == done.json()["version_id"]
    assert user.get("/pods/home/files/hs/one.bin").content == data
    # a retried commit and the status answer with what the commit said
    retried = user.post(f"/uploads/{first['id']}/commit")
    assert retried.status_code == 201 and retried.json() == done.json()
    status = user.get(f"/uploads/{first['id']}").json()
    assert status["state"] == "committed" and status["result"] == done.json()
    assert done.json()["upload_id"] == first["id"] and done.json()["size"] == len(data)
    # identical content again (same path and another one): nothing to send
    for path in ("hs/one.bin", "hs/two.bin"):
        s = user.post("/pods/home/uploads", json={**body, "path": path}).json()
        assert s["missing"] == [] and s["missing_bytes"] == 0
        c = user.post(f"/uploads/{s['id']}/commit")
        assert c.status_code in (200, 201) and c.json()["stored_bytes"] == 0
        assert user.get(f"/pods/home/files/{path}").content == data
    assert len(user.get("/pods/home/versions/hs/one.bin").json()["versions"]) == 2


def test_layout_of_a_file_and_the_chunks_a_pod_lacks(user: User) -> None:
    """A client re-uploading a file hashes along the cuts of the file already there and asks
    which of those chunks the pod lacks, without declaring anything."""
    data = os.urandom(12 * MiB)
    assert user.put("/pods/home/files/lay/big.bin", content=data).status_code == 201
    cuts, chunks = chunk_list(user, data)
    layout = user.get("/pods/home/layout/lay/big.bin").json()
    current = user.get("/pods/home/versions/lay/big.bin").json()["versions"][0]
    assert layout == {
        "version_id": current["id"],
        "size": len(data),
        "chunks": [n for _, n in cuts],
    }
    assert user.post("/pods/home/chunks/missing", json={"chunks": chunks}).json() == {"missing": []}
    edited = bytearray(data)
    edited[cuts[1][0]] ^= 0xFF  # the first byte of the second chunk
    guessed = [{"size": n, "hash": blake3.blake3(edited[o : o + n]).hexdigest()} for o, n in cuts]
    asked = user.post("/pods/home/chunks/missing", json={"chunks": guessed}).json()
    assert asked == {"missing": [1]}
    assert user.get("/uploads").json()["uploads"] == []  # asking declared nothing
    assert user.get("/pods/home/files/lay/big.bin").content == data

    user.put("/pods/home/files/lay/small.txt", content=b"inline")
    assert user.get("/pods/home/layout/lay/small.txt").json()["chunks"] == []
    assert user.get("/pods/home/layout/lay").status_code == 400
    assert user.get("/pods/home/layout/lay/none.bin").status_code == 404
    for bad in ({"chunks": [{"size": 0, "hash": "00" * 32}]}, {"chunks": [{"size": 1}]}, {}):
        r = user.post("/pods/home/chunks/missing", json=bad)
        assert r.status_code in (400, 422), (bad, r.text)


def test_corrupt_chunk_is_rejected_and_nothing_committed(user: User) -> None:
    data = os.urandom(3 * MiB)
    cuts, upload_id = open_upload(user, "bad.bin", data)
    s = {"id": upload_id}
    o, n = cuts[0]
    forged = bytearray(data[o : o + n])
    forged[-1] ^= 0xFF
    r = user.put(f"/uploads/{s['id']}/chunks/0", content=bytes(forged))
    assert r.status_code == 400 and "BLAKE3" in r.json()["detail"]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert user.put(f"/uploads/{s['id']}/chunks/0", content=data[o : o + n - 1]).status_code == 400
    assert user.put(f"/uploads/{s['id']}/chunks/999", content=b"x").status_code == 404
    assert user.post(f"/uploads/{s['id']}/commit").status_code == 409
    assert user.get("/pods/home/files/bad.bin").status_code == 404
    assert 0 in user.get(f"/uploads/{s['id']}").json()["missing"]
    assert user.delete(f"/uploads/{s['id']}").status_code == 204
    assert user.get(f"/uploads/{s['id']}").status_code == 404


def test_bad_declarations_and_other_users(server: Server, user: User) -> None:
    data = os.urandom(MiB)
    _, chunks = chunk_list(user, data)
    bad = [
        {"path": "x", "size": len(data) + 1, "chunks": chunks},
        {"path": "x", "size": len(data), "chunks": [{"size": len(data), "hash": "zz"}]},
        {"path": "", "size": len(data), "chunks": chunks},
        {"path": "x", "size": len(data)},
    ]
    for body in bad:
        r = user.post("/pods/home/uploads", json=body)
        assert r.status_code in (400, 422), (body, r.text)
    assert user.post("/pods/home/uploads", content=b"{not json").status_code == 400
    s = user.post("/pods/home/uploads", json={"path": "x", "size": len(data), "chunks": chunks})
    other = server.new_user(pod="home")
    assert other.get(f"/uploads/{s.json()['id']}").status_code == 404
    assert other.post(f"/uploads/{s.json()['id']}/commit").status_code == 404
    assert (
        other.post("/pods/nope/uploads", json={"path": "x", "size": 0, "chunks": []}).status_code
        == 404
    )
    anon = server.client()
    assert anon.get("/pods/home/chunk-params").status_code == 401
    other.close()
    anon.close()


def test_duplicate_chunks_are_asked_once(user: User) -> None:
    data = bytes(40 * MiB)  # zeros: every chunk is the same max-size chunk
    cuts, chunks = chunk_list(user, data)
    assert len({c["hash"] for c in chunks}) < len(chunks)
    s = user.post(
        "/pods/home/uploads", json={"path": "zeros.bin", "size": len(data), "chunks": chunks}
    ).json()
    for i in s["missing"]:
        send(user, s["id"], data, cuts, i)
    assert len(s["missing"]) == len({c["hash"] for c in chunks})
    assert user.post(f"/uploads/{s['id']}/commit").status_code == 201
    assert user.get("/pods/home/files/zeros.bin").content == data


def test_chunk_list_declared_in_parts(user: User) -> None:
    data = os.urandom(20 * MiB)
    cuts, chunks = chunk_list(user, data)
    half = len(chunks) // 2
    body = {"path": "parts.bin", "size": len(data), "chunks": chunks[:half], "more": True}
    s = user.post("/pods/home/uploads", json=body).json()
    assert s["missing"] == list(range(half)) and not s["complete"] and s["chunks"] == half
    for i in s["missing"][:2]:  # chunks go before the list is complete
        send(user, s["id"], data, cuts, i)
    r = user.post(f"/uploads/{s['id']}/commit")
    assert r.status_code == 409 and "not complete" in r.json()["detail"]
    # a gap, a different re-declaration, a list that overshoots the size: refused
    gap = user.post(f"/uploads/{s['id']}/chunks", json={"start": half + 1, "chunks": chunks})
    assert gap.status_code == 409
    changed = [{**chunks[0], "hash": "ab" * 32}]
    assert (
        user.post(f"/uploads/{s['id']}/chunks", json={"start": 0, "chunks": changed}).status_code
        == 409
    )
    over = user.post(
        f"/uploads/{s['id']}/chunks", json={"start": half, "chunks": chunks[half:] * 2}
    )
    assert over.status_code == 400
    # a retried declaration overlapping what is there is fine; the rest completes the list
    rest = user.post(
        f"/uploads/{s['id']}/chunks", json={"start": half - 1, "chunks": chunks[half - 1 :]}
    )
    assert rest.status_code == 200, rest.text
    added = rest.json()
    assert added["complete"] and added["declared"] == len(chunks)
    assert added["missing"] == list(range(half, len(chunks)))
    status = user.get(f"/uploads/{s['id']}").json()
    assert status["complete"] and status["missing"] == list(range(2, len(chunks)))
    # the rest in one streamed body without a declared length (chunked transfer coding)
    start = cuts[2][0]

    def pieces() -> Iterator[bytes]:
        for at in range(start, len(data), 300 * 1024):
            yield data[at : min(at + 300 * 1024, len(data))]

    streamed = user.put(f"/uploads/{s['id']}/chunks/2", content=pieces())
    assert streamed.status_code == 200, streamed.text
    assert streamed.json()["chunks"] == len(chunks) - 2
    done = user.post(f"/uploads/{s['id']}/commit")
    assert done.status_code == 201, done.text
    assert user.get("/pods/home/files/parts.bin").content == data
    # a complete list takes no more chunks
    more = user.post(f"/uploads/{s['id']}/chunks", json={"start": len(chunks), "chunks": chunks})
    assert more.status_code == 409


def test_bodies_that_do_not_hold_whole_chunks(user: User) -> None:
    data = os.urandom(6 * MiB)
    cuts, upload_id = open_upload(user, "whole.bin", data)
    s = {"id": upload_id}
    o, n = cuts[0]

    def stream(payload: bytes) -> Iterator[bytes]:
        yield payload

    # without a declared length the server finds out while reading; a whole chunk before
    # the error is kept
    short = user.put(f"/uploads/{s['id']}/chunks/0", content=stream(data[: o + n + 10]))
    assert short.status_code == 400
    longer = user.put(f"/uploads/{s['id']}/chunks/0", content=stream(data + b"x"))
    assert longer.status_code == 400
    assert 0 not in user.get(f"/uploads/{s['id']}").json()["missing"]
    for i in user.get(f"/uploads/{s['id']}").json()["missing"]:
        send(user, s["id"], data, cuts, i)
    assert user.post(f"/uploads/{s['id']}/commit").status_code == 201
    assert user.get("/pods/home/files/whole.bin").content == data


# -- a server with small limits and a short session lifetime ------------------------------------

LIMITS = {
    "PODSTORE_MAX_UPLOAD_SESSIONS": "3",
    "PODSTORE_MAX_UNFINISHED_BYTES": str(64 * MiB),
    "PODSTORE_MAX_REQUEST_BYTES": str(4 * MiB),
    "PODSTORE_UPLOAD_SESSION_TTL_SECONDS": "4",
    "PODSTORE_GC_GRACE_SECONDS": "0",
}


@pytest.fixture(scope="module")
def limited(database_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("limited")
    srv = Server(root / "data", server_env(root / "data", database_url, **LIMITS))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def gc(server: Server) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "podstore", "gc"], env=server.env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_limits_and_request_size(limited: Server) -> None:
    user = limited.new_user(pod="home")
    assert user.get("/pods/home/chunk-params").json()["max_request_bytes"] == 4 * MiB
    big = user.put("/uploads/x/chunks/0", content=os.urandom(5 * MiB))
    assert big.status_code == 413
    assert big.headers["content-type"].startswith("application/problem+json")
    chunk = {"size": 4 * MiB, "hash": "00" * 32}
    r = user.post(
        "/pods/home/uploads", json={"path": "huge", "size": 80 * MiB, "chunks": [chunk] * 20}
    )
    assert r.status_code == 507 and "unfinished" in r.json()["detail"]
    ids = []
    for n in range(3):
        body = {"path": f"f{n}", "size": 4 * MiB, "chunks": [{**chunk, "hash": f"{n:02d}" * 32}]}
        r = user.post("/pods/home/uploads", json=body)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    r = user.post("/pods/home/uploads", json={**body, "path": "f4", "chunks": [chunk]})
    assert r.status_code == 429 and "unfinished uploads" in r.json()["detail"]
    assert user.delete(f"/uploads/{ids[0]}").status_code == 204  # cancelling frees a slot
    assert user.post("/pods/home/uploads", json={**body, "path": "f4"}).status_code == 201
    user.close()


def test_expiry_and_gc_of_orphaned_chunks(limited: Server) -> None:
    user = limited.new_user(pod="home")
    for _ in range(100):  # content whose chunks all fit under the 4 MiB request cap
        data = os.urandom(6 * MiB)
        cuts, chunks = chunk_list(user, data)
        if all(n <= 4 * MiB for _, n in cuts):
            break
    body = {"path": "exp.bin", "size": len(data), "chunks": chunks}
    first = user.post("/pods/home/uploads", json=body).json()
    send(user, first["id"], data, cuts, 0)
    tus = user.post(
        "/pods/home/tus/",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": "path eA=="},
    )
    assert tus.status_code == 201
    other = user.post("/pods/home/uploads", json={**body, "path": "other.bin"}).json()
    assert other["missing"] == list(range(1, len(cuts)))  # chunk 0 is held by the first session
    time.sleep(4.5)
    assert user.get(f"/uploads/{first['id']}").status_code == 404
    head = user.head(tus.headers["location"], headers={"Tus-Resumable": "1.0.0"})
    assert head.status_code == 410
    # an open session's chunks are referenced and survive gc (grace 0); expired ones do not
    data2 = os.urandom(3 * MiB)
    cuts2, chunks2 = chunk_list(user, data2)
    live = user.post(
        "/pods/home/uploads", json={"path": "live.bin", "size": len(data2), "chunks": chunks2}
    ).json()
    for i in live["missing"]:
        send(user, live["id"], data2, cuts2, i)
    report = gc(limited)
    assert report["expired_uploads"] >= 3
    assert report["deleted"], "the expired sessions' chunks were not collected"
    assert user.post(f"/uploads/{live['id']}/commit").status_code == 201
    assert user.get("/pods/home/files/live.bin").content == data2
    user.close()
