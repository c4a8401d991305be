"""Files over HTTP: upload, download, ranges, conditional requests, versions, multipart."""

from __future__ import annotations

import hashlib
import os

import httpx
import pytest

from tests.fixtures.server import Server, User


def test_round_trip_sizes(user: User) -> None:
    for size in [0, 1, 65_535, 65_536, 65_537, 3_000_000]:
        data = os.urandom(size)
        put = user.put(f"/pods/home/files/sizes/{size}.bin", content=data)
        assert put.status_code == 201, put.text
        assert put.json()["size"] == size
        got = user.get(f"/pods/home/files/sizes/{size}.bin")
        assert got.status_code == 200
        assert got.content == data
        assert got.headers["content-length"] == str(size)


def test_overwrite_makes_versions_and_etag(user: User) -> None:
    first = user.put("/pods/home/files/v.txt", content=b"one")
    assert first.status_code == 201
    second = user.put("/pods/home/files/v.txt", content=b"two!")
    assert second.status_code == 200
    assert first.headers["etag"] != second.headers["etag"]
    versions = user.get("/pods/home/versions/v.txt").json()["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["current"] and not versions[1]["current"]
    old = user.get("/pods/home/files/v.txt", params={"version": versions[1]["id"]})
    assert old.content == b"one"
    restored = user.post("/pods/home/versions/v.txt", json={"version_id": versions[1]["id"]})
    assert restored.status_code == 200
    assert user.get("/pods/home/files/v.txt").content == b"one"
    assert len(user.get("/pods/home/versions/v.txt").json()["versions"]) == 3


def test_retention_keeps_the_newest_versions(server: Server) -> None:
    user = server.new_user()
    assert user.post("/pods", json={"name": "few", "versions_kept": 2}).status_code == 201
    for n in range(5):
        user.put("/pods/few/files/f.txt", content=f"v{n}".encode())
    versions = user.get("/pods/few/versions/f.txt").json()["versions"]
    assert [v["number"] for v in versions] == [5, 4]
    assert user.get("/pods/few").json()["used_bytes"] == 4


def test_range_requests(user: User) -> None:
    data = os.urandom(5_000_000)
    user.put("/pods/home/files/r.bin", content=data)
    cases = {
        "bytes=0-0": data[:1],
        "bytes=100-199": data[100:200],
        "bytes=4999990-": data[4999990:],
        "bytes=-10": data[-10:],
        "bytes=2097100-2097300": data[2097100:2097301],
        "bytes=4999999-9999999": data[-1:],
    }
    for header, expected in cases.items():
        got = user.get("/pods/home/files/r.bin", headers={"Range": header})
        assert got.status_code == 206, header
        assert got.content == expected, header
        assert got.headers["content-range"].endswith("/5000000")
    beyond = user.get("/pods/home/files/r.bin", headers={"Range": "bytes=5000000-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == "bytes */5000000"


def test_conditional_requests(user: User) -> None:
    etag = user.put("/pods/home/files/c.txt", content=b"base").headers["etag"]
    assert user.get("/pods/home/files/c.txt", headers={"If-None-Match": etag}).status_code == 304
    stale = user.put("/pods/home/files/c.txt", content=b"lost", headers={"If-Match": '"nope"'})
    assert stale.status_code == 412
    assert user.get("/pods/home/files/c.txt").content == b"base"
    swapped = user.put("/pods/home/files/c.txt", content=b"new", headers={"If-Match": etag})
    assert swapped.status_code == 200
    create_only = user.put("/pods/home/files/c.txt", content=b"x", headers={"If-None-Match": "*"})
    assert create_only.status_code == 412
    head = user.head("/pods/home/files/c.txt")
    assert head.status_code == 200
    assert head.headers["content-length"] == "3"
    assert head.headers["etag"] == swapped.headers["etag"]


def test_content_type_from_name_and_content(user: User) -> None:
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(100)
    user.put("/pods/home/files/picture", content=png)
    user.put("/pods/home/files/notes.md", content=b"# hi")
    user.put("/pods/home/files/blob", content=b"\x00\x01\x02")
    assert user.get("/pods/home/files/picture").headers["content-type"] == "image/png"
    assert user.get("/pods/home/files/notes.md").headers["content-type"].startswith("text/markdown")
    assert user.get("/pods/home/files/blob").headers["content-type"] == "application/octet-stream"
    html = user.put("/pods/home/files/page.html", content=b"<script>alert(1)</script>")
    assert html.status_code == 201
    served = user.get("/pods/home/files/page.html")
    assert served.headers["content-security-policy"] == "sandbox"
    assert served.headers["x-content-type-options"] == "nosniff"


def test_multipart_upload_of_several_files(user: User) -> None:
    files = [
        ("file", ("a.txt", b"alpha" * 1000, "text/plain")),
        ("file", ("b.bin", os.urandom(300_000), "application/octet-stream")),
        ("file", ("c.txt", b"", "text/plain")),
    ]
    response = user.post("/pods/home/upload/inbox", files=files, data={"note": "hello"})
    assert response.status_code == 201, response.text
    assert [f["name"] for f in response.json()["files"]] == ["a.txt", "b.bin", "c.txt"]
    for _, (name, data, _) in files:
        assert user.get(f"/pods/home/files/inbox/{name}").content == data


def test_download_a_folder_is_an_error_not_a_crash(user: User) -> None:
    user.post("/pods/home/mkdir/folder")
    assert user.get("/pods/home/files/folder").status_code == 400
    assert user.put("/pods/home/files/folder", content=b"x").status_code == 409
    assert user.get("/pods/home/files/missing.txt").status_code == 404


def test_same_content_in_two_files_is_stored_once(server: Server) -> None:
    user = server.new_user(pod="dedup")
    data = os.urandom(3_000_000)
    first = user.put("/pods/dedup/files/one.bin", content=data).json()
    second = user.put("/pods/dedup/files/two.bin", content=data).json()
    assert first["stored_bytes"] > 3_000_000
    assert second["stored_bytes"] == 0
    assert (
        hashlib.sha256(user.get("/pods/dedup/files/two.bin").content).digest()
        == hashlib.sha256(data).digest()
    )


@pytest.mark.parametrize("compression", ["off", "fast", "strong"])
def test_compression_policies_round_trip(server: Server, compression: str) -> None:
    user = server.new_user()
    pod = f"c-{compression}"
    assert user.post("/pods", json={"name": pod, "compression": compression}).status_code == 201
    text = b"the same words again and again " * 100_000
    assert user.put(f"/pods/{pod}/files/t.txt", content=text).status_code == 201
    assert user.get(f"/pods/{pod}/files/t.txt").content == text


def test_quota_is_enforced(server: Server) -> None:
    user = server.new_user()
    assert user.post("/pods", json={"name": "small", "quota_bytes": 100_000}).status_code == 201
    assert user.put("/pods/small/files/a", content=b"x" * 60_000).status_code == 201
    over = user.put("/pods/small/files/b", content=b"y" * 60_000)
    assert over.status_code == 507
    assert user.get("/pods/small/files/b").status_code == 404
    assert user.get("/pods/small").json()["used_bytes"] == 60_000


def test_parallel_uploads_into_a_new_folder_all_land(user: User) -> None:
    """16 uploads at once into a folder none of them found (what `rclone copy` does): each
    one makes the folder or finds it made; none is refused. Same-name uploads at once
    become versions, as they would one after the other."""
    from concurrent.futures import ThreadPoolExecutor

    def put(path: str, body: bytes) -> int:
        with httpx.Client(base_url=str(user.base_url), headers=user.headers, timeout=60) as c:
            return c.put(path, content=body).status_code

    bodies = {f"/pods/home/files/burst/new/f{i:02d}.bin": os.urandom(4096) for i in range(16)}
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(put, bodies, bodies.values()))
        same = list(pool.map(put, ["/pods/home/files/burst/same.bin"] * 8, [b"x"] * 8))
    assert statuses == [201] * 16
    listed = user.get("/pods/home/list/burst/new").json()["entries"]
    assert sorted(e["name"] for e in listed) == sorted(p.rsplit("/", 1)[1] for p in bodies)
    for path, body in bodies.items():
        assert user.get(path).content == body
    assert sorted(same) == [200] * 7 + [201]
    versions = user.get("/pods/home/versions/burst/same.bin").json()["versions"]
    assert len(versions) == 8
