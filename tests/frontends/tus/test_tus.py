"""tus 1.0 with tuspy (a real tus client) against a real server: upload, interrupt, resume."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from tusclient import client as tus_client
from tusclient.storage import filestorage

from tests.fixtures.server import Server, User

MiB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


def tus(server: Server, user: User) -> tus_client.TusClient:
    return tus_client.TusClient(
        f"{server.api_url}/pods/home/tus/", headers={"Authorization": f"Bearer {user.token}"}
    )


def meta(path: str) -> str:
    return "path " + base64.b64encode(path.encode()).decode()


def test_tuspy_uploads_50_mib(server: Server, user: User) -> None:
    data = os.urandom(50 * MiB)
    uploader = tus(server, user).uploader(
        file_stream=io.BytesIO(data), metadata={"path": "tus/fifty.bin"}, upload_checksum=True
    )
    uploader.upload()
    got = user.get("/pods/home/files/tus/fifty.bin")
    assert got.status_code == 200
    assert hashlib.sha256(got.content).digest() == hashlib.sha256(data).digest()
    head = user.head(uploader.url, headers=TUS)
    assert head.headers["upload-offset"] == head.headers["upload-length"] == str(len(data))


def test_tuspy_interrupted_then_resumed(server: Server, user: User, tmp_path: Path) -> None:
    data = os.urandom(30 * MiB + 12345)
    source = tmp_path / "thirty.bin"
    source.write_bytes(data)
    storage = filestorage.FileStorage(str(tmp_path / "tus-urls.json"))
    kwargs = {
        "file_path": str(source),
        "metadata": {"filename": "tus/thirty.bin"},
        "chunk_size": 4 * MiB,
        "store_url": True,
        "url_storage": storage,
        "upload_checksum": True,
    }
    first = tus(server, user).uploader(**kwargs)
    first.upload(stop_at=13 * MiB)  # four PATCHes: 4 + 4 + 4 + 1 MiB, then the client stops
    assert first.offset == 13 * MiB
    assert user.get("/pods/home/files/tus/thirty.bin").status_code == 404
    # a new uploader (as after a restart of the client) finds the URL and asks the offset
    second = tus(server, user).uploader(**kwargs)
    assert second.url == first.url and second.offset == 13 * MiB
    second.upload()
    assert user.get("/pods/home/files/tus/thirty.bin").content == data
    storage.close()


def test_dropped_connection_keeps_what_arrived(server: Server, user: User) -> None:
    data = os.urandom(40 * MiB)
    created = user.post(
        "/pods/home/tus/",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta("tus/drop.bin")},
    )
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    assert "upload-expires" in created.headers and created.headers["upload-offset"] == "0"

    def body() -> Iterator[bytes]:
        for start in range(0, 25 * MiB, MiB):
            yield data[start : start + MiB]
        time.sleep(0.3)
        raise ConnectionAbortedError("cable pulled")

    headers = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    with contextlib.suppress(ConnectionAbortedError, httpx.HTTPError):
        user.patch(url, content=body(), headers=headers)
    offset = 0
    for _ in range(50):  # the server notices the cut and stores the tail
        offset = int(user.head(url, headers=TUS).headers["upload-offset"])
        if offset == 25 * MiB:
            break
        time.sleep(0.1)
    assert 0 < offset <= 25 * MiB
    resumed = tus(server, user).uploader(file_stream=io.BytesIO(data), url=url)
    assert resumed.offset == offset
    resumed.upload()
    assert user.get("/pods/home/files/tus/drop.bin").content == data


def test_protocol_details(server: Server, user: User) -> None:
    base = "/pods/home/tus/"
    options = user.options(base)
    assert options.status_code == 204
    assert "checksum" in options.headers["tus-extension"]
    assert "sha1" in options.headers["tus-checksum-algorithm"]
    assert options.headers["tus-version"] == "1.0.0"
    no_version = user.post(base, headers={"Upload-Length": "5", "Upload-Metadata": meta("v")})
    assert no_version.status_code == 412 and no_version.headers["tus-version"] == "1.0.0"
    assert user.post(base, headers={**TUS, "Upload-Length": "5"}).status_code == 400
    anon = server.client()
    assert anon.post(base, headers={**TUS, "Upload-Length": "5"}).status_code == 401
    anon.close()
    # creation-with-upload, then offset and checksum errors, then the last byte
    first, rest = os.urandom(MiB), os.urandom(MiB + 1)
    created = user.post(
        base,
        content=first,
        headers={
            **TUS,
            "Upload-Length": str(len(first) + len(rest)),
            "Upload-Metadata": meta("tus/p.bin") + ",filetype dGV4dC9wbGFpbg==",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert created.status_code == 201 and created.headers["upload-offset"] == str(MiB)
    url = created.headers["location"]
    head = user.head(url, headers=TUS)
    assert head.headers["upload-offset"] == str(MiB)
    assert head.headers["upload-metadata"].startswith("path ")
    assert head.headers["cache-control"] == "no-store" and head.headers["tus-resumable"]
    patch = {**TUS, "Content-Type": "application/offset+octet-stream"}
    wrong = user.patch(url, content=rest, headers={**patch, "Upload-Offset": "0"})
    assert wrong.status_code == 409
    bad_sum = "sha1 " + base64.b64encode(hashlib.sha1(b"other").digest()).decode()
    r = user.patch(
        url, content=rest, headers={**patch, "Upload-Offset": str(MiB), "Upload-Checksum": bad_sum}
    )
    assert r.status_code == 460
    assert user.head(url, headers=TUS).headers["upload-offset"] == str(MiB)
    r = user.patch(
        url,
        content=rest,
        headers={**patch, "Upload-Offset": str(MiB), "Upload-Checksum": "crc32 AAAA"},
    )
    assert r.status_code == 400
    plain = {**TUS, "Upload-Offset": str(MiB), "Content-Type": "text/plain"}
    assert user.patch(url, content=rest, headers=plain).status_code == 415
    good_sum = "sha1 " + base64.b64encode(hashlib.sha1(rest).digest()).decode()
    done = user.patch(
        url, content=rest, headers={**patch, "Upload-Offset": str(MiB), "Upload-Checksum": good_sum}
    )
    assert done.status_code == 204 and done.headers["upload-offset"] == str(2 * MiB + 1)
    got = user.get("/pods/home/files/tus/p.bin")
    assert got.content == first + rest and got.headers["content-type"].startswith("text/plain")
    # empty upload, termination, unknown ids
    empty = user.post(base, headers={**TUS, "Upload-Length": "0", "Upload-Metadata": meta("e")})
    assert empty.status_code == 201 and user.get("/pods/home/files/e").content == b""
    doomed = user.post(base, headers={**TUS, "Upload-Length": "9", "Upload-Metadata": meta("d")})
    assert user.delete(doomed.headers["location"], headers=TUS).status_code == 204
    assert user.head(doomed.headers["location"], headers=TUS).status_code == 404
    assert user.head(base + "no-such-upload", headers=TUS).status_code == 404


def test_offset_after_a_crash_is_what_is_stored(server: Server, user: User) -> None:
    """kill -9 during a PATCH: the offset reported afterwards is durable; tuspy finishes."""
    data = os.urandom(48 * MiB)
    created = user.post(
        "/pods/home/tus/",
        headers={**TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta("tus/k.bin")},
    )
    url = created.headers["location"]
    sent = [0]

    def slow() -> Iterator[bytes]:
        for start in range(0, len(data), MiB):
            sent[0] = start
            yield data[start : start + MiB]
            time.sleep(0.03)

    def patch() -> None:
        headers = {**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
        try:
            with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {user.token}"}) as c:
                c.patch(url, content=slow(), headers=headers)
        except httpx.HTTPError:
            pass

    thread = threading.Thread(target=patch)
    thread.start()
    while sent[0] < 36 * MiB:
        time.sleep(0.02)
    server.kill()
    thread.join(timeout=60)
    server.start()
    offset = int(user.head(url, headers=TUS).headers["upload-offset"])
    assert 0 < offset <= sent[0]
    resumed = tus(server, user).uploader(file_stream=io.BytesIO(data), url=url)
    assert resumed.offset == offset
    resumed.upload()
    assert user.get("/pods/home/files/tus/k.bin").content == data
