"""Ported flows: FairOS's own cmd/dfs/cmd/server_test.go (v2 users, v1 camelCase: signup,
login, pod, a 13-entry tree, renames, fork) and the seed document's v0 form lines; and bad
input, answered in FairOS's words and never with a 500."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures.server import PASSWORD
from tests.frontends.dialects.fairos.conftest import FairosServer


def _user(fairos: FairosServer, path: str = "/v2/user/signup") -> httpx.Client:
    web = httpx.Client(base_url=fairos.url, timeout=60)
    name = f"f{uuid.uuid4().hex[:10]}"
    field = "userName" if path.startswith("/v2") else "user_name"
    assert web.post(path, json={field: name, "password": PASSWORD}).status_code == 201
    return web


@pytest.fixture
def camel(fairos: FairosServer) -> Iterator[httpx.Client]:
    web = _user(fairos)
    try:
        yield web
    finally:
        web.close()


def test_server_test_flow(camel: httpx.Client) -> None:
    web = camel
    assert web.post("/v1/pod/new", json={"podName": "p"}).status_code == 201
    dirs = ["/a", "/a/b", "/a/b/c", "/d", "/d/e", "/f"]
    for path in dirs:
        made = web.post("/v1/dir/mkdir", json={"podName": "p", "dirPath": path})
        assert made.status_code == 201 and made.json() == {
            "message": "directory created successfully"
        }
    files = ["/1.txt", "/a/2.txt", "/a/b/3.txt", "/a/b/c/4.txt", "/d/5.txt", "/d/e/6.txt"]
    for path in [*files, "/f/7.bin"]:
        folder, name = path.rsplit("/", 1)
        up = web.post(
            "/v1/file/upload",
            data={"podName": "p", "dirPath": folder or "/", "blockSize": "1Mb"},
            files={"files": (name, path.encode() * 100)},
        )
        assert up.json() == {"Responses": [{"fileName": name, "message": "uploaded successfully"}]}
    stat = web.get("/v1/dir/stat", params={"podName": "p", "dirPath": "/a"}).json()
    assert stat["noOfDirectories"] == "1" and stat["noOfFiles"] == "1"
    assert stat["dirPath"] == "/a" and stat["mode"] == 16832
    root = web.get("/v1/dir/ls", params={"podName": "p", "dirPath": "/"}).json()
    assert sorted(d["name"] for d in root["dirs"]) == ["a", "d", "f"]
    assert [f["name"] for f in root["files"]] == ["1.txt"]
    assert root["files"][0]["size"] == str(len(b"/1.txt" * 100))
    info = web.get("/v1/file/stat", params={"podName": "p", "filePath": "/a/b/3.txt"}).json()
    assert info["fileName"] == "3.txt" and info["fileSize"] == "1000" and info["mode"] == 33152
    moved = web.post(
        "/v1/file/rename", json={"podName": "p", "oldPath": "/a/2.txt", "newPath": "/d/2.txt"}
    )
    assert moved.json() == {"message": "file renamed successfully"}
    renamed = web.post(
        "/v1/dir/rename", json={"podName": "p", "oldPath": "/d/e", "newPath": "/a/e"}
    )
    assert renamed.json() == {"message": "directory renamed successfully"}
    got = web.get("/v1/file/download", params={"podName": "p", "filePath": "/a/e/6.txt"})
    assert got.content == b"/d/e/6.txt" * 100
    patched = web.post(
        "/v1/file/update",
        data={"podName": "p", "filePath": "/1.txt", "offset": "3"},
        files={"file": ("1.txt", b"XYZ")},
    )
    assert patched.json()["Responses"][0]["message"] == "uploaded successfully"
    updated = web.get("/v1/file/download", params={"podName": "p", "filePath": "/1.txt"})
    assert updated.content == b"/1.XYZ" + (b"/1.txt" * 100)[6:]
    forked = web.post("/v1/pod/fork", json={"podName": "p", "forkName": "p2"})
    assert forked.json() == {"message": "pod forked successfully"}
    assert web.post("/v1/pod/open", json={"podName": "p2"}).status_code == 200
    copy = web.get("/v1/file/download", params={"podName": "p2", "filePath": "/d/2.txt"})
    assert copy.content == b"/a/2.txt" * 100
    again = web.post("/v1/pod/fork", json={"podName": "p", "forkName": "p2"})
    assert again.json() == {"message": "pod fork: pod with fork name already exists"}
    gone = web.request("DELETE", "/v1/dir/rmdir", json={"podName": "p", "dirPath": "/a"})
    assert gone.json() == {"message": "directory removed successfully"}
    left = web.get("/v1/dir/ls", params={"podName": "p", "dirPath": "/"}).json()
    assert sorted(d["name"] for d in left["dirs"]) == ["d", "f"]
    pods = web.get("/v1/pod/ls").json()
    assert pods["pods"] == ["p", "p2"] and pods["sharedPods"] == []


def test_seed_document_v0_lines(fairos: FairosServer) -> None:
    name = f"seed{uuid.uuid4().hex[:8]}"
    words = "test test test test test test test test test test test junk"
    with httpx.Client(base_url=fairos.url, timeout=60) as web:
        form = {"user": name, "password": PASSWORD, "mnemonic": words}
        assert web.post("/v0/user/signup", data=form).status_code == 201
        assert web.request("GET", "/v0/user/present", data={"user": name}).json()["present"]
        logged = web.request("GET", "/v0/user/isloggedin", data={"user": name}).json()
        assert logged == {"loggedin": True}
        login = web.post("/v0/user/login", data={"user": name, "password": PASSWORD})
        assert login.json()["address"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        assert web.post("/v0/user/export").json()["user_name"] == name
        assert web.get("/v0/user/stat").json()["address"].startswith("0xf39F")
        pod = {"password": PASSWORD, "pod": "seed"}
        assert web.post("/v0/pod/new", data=pod).status_code == 201
        assert web.post("/v0/pod/open", data=pod).json()["message"] == "pod opened successfully"
        assert web.post("/v0/pod/sync").json()["message"] == "pod synced successfully"
        assert web.get("/v0/pod/ls").json()["pod_name"] == ["seed"]
        assert web.request("GET", "/v0/pod/stat", data={"user": name, "pod": "seed"}).is_success
        assert web.post("/v0/dir/mkdir", data={"dir": "/docs"}).status_code == 201
        up = web.post(
            "/v0/file/upload",
            data={"pod_dir": "/docs", "block_size": "1"},
            files=[("files", ("a.txt", b"alpha")), ("files", ("b.txt", b"beta"))],
            headers={"fairOS-dfs-Compression": "snappy"},
        )
        assert [r["file_name"] for r in up.json()["Responses"]] == ["a.txt", "b.txt"]
        listing = web.request("GET", "/v0/dir/ls", data={"dir": "/docs"}).json()
        assert sorted(f["name"] for f in listing["files"]) == ["a.txt", "b.txt"]
        assert (
            web.request("GET", "/v0/dir/stat", data={"dir": "/docs"}).json()["no_of_files"] == "2"
        )
        assert web.post("/v0/file/download", data={"file": "/docs/a.txt"}).content == b"alpha"
        stat = web.request("GET", "/v0/file/stat", data={"file": "/docs/b.txt"}).json()
        assert stat["file_size"] == "4"
        assert web.request("DELETE", "/v0/file/delete", data={"file": "/docs/b.txt"}).is_success
        assert web.request("DELETE", "/v0/dir/rmdir", data={"dir": "/docs"}).is_success
        # kv: `file` names the table
        assert web.post("/v0/kv/new", data={"file": "t"}).status_code == 201
        assert web.post("/v0/kv/open", data={"file": "t"}).is_success
        for key, value in (("k1", "one"), ("k2", "two"), ("k3", "three")):
            put = web.post("/v0/kv/entry/put", data={"file": "t", "key": key, "value": value})
            assert put.json() == {"message": "key added", "code": 200}
        got = web.request("GET", "/v0/kv/entry/get", data={"file": "t", "key": "k2"}).json()
        assert base64.b64decode(got["values"]) == b"two"
        assert web.post("/v0/kv/count", data={"file": "t"}).json()["count"] == 3
        assert web.post("/v0/kv/ls").json()["tables"][0]["table_name"] == "t"
        csv = b"id,name\n7,seven\n8,eight\n"
        loaded = web.post("/v0/kv/loadcsv", data={"file": "t"}, files={"csv": ("t.csv", csv)})
        assert "total:2, success: 2, failure: 0" in loaded.json()["message"]
        seek = web.post("/v0/kv/seek", data={"file": "t", "start": "k1", "end": "k3", "limit": "5"})
        assert seek.json()["message"] == "seeked closest to the start key"
        keys = [web.request("GET", "/v0/kv/seek/getnext", data={"file": "t"}) for _ in range(3)]
        assert [k.json()["keys"] for k in keys[:2]] == [["k1"], ["k2"]]
        assert keys[2].status_code == 204
        deleted = web.request("DELETE", "/v0/kv/entry/del", data={"file": "t", "key": "k1"})
        assert deleted.json() == {"message": "key deleted", "code": 200}
        assert web.request("DELETE", "/v0/kv/delete", data={"file": "t"}).is_success
        # documents: `name` names the database
        assert web.post("/v0/doc/new", data={"name": "d", "si": "age=number"}).status_code == 201
        assert web.post("/v0/doc/open", data={"name": "d"}).is_success
        doc = web.post("/v0/doc/entry/put", data={"name": "d", "doc": '{"id":"1","age":30}'})
        assert doc.json()["message"] == "added document to db"
        lines = b'{"id":"2","age":10}\n{"id":"3","age":50}\n'
        web.post("/v0/doc/loadjson", data={"name": "d"}, files={"json": ("d.json", lines)})
        assert web.post("/v0/doc/count", data={"name": "d", "expr": "age>20"}).json()["count"] == 2
        found = web.post("/v0/doc/find", data={"name": "d", "expr": "age=>10", "limit": "2"})
        assert len(found.json()["docs"]) == 2
        one = web.request("GET", "/v0/doc/entry/get", data={"name": "d", "id": "3"}).json()
        assert base64.b64decode(one["doc"]) == b'{"id":"3","age":50}'
        assert web.request("DELETE", "/v0/doc/entry/del", data={"name": "d", "id": "3"}).is_success
        assert web.post("/v0/doc/ls").json()["tables"][0]["table_name"] == "d"
        assert web.request("DELETE", "/v0/doc/delete", data={"name": "d"}).is_success
        assert web.post("/v0/pod/close").json()["message"] == "pod closed successfully"
        assert web.request("DELETE", "/v0/pod/delete", data={"pod": "seed"}).is_success
        assert web.post("/v0/user/logout").json()["message"] == "user logged out successfully"
        assert web.post("/v0/user/login", data=form).is_success
        gone = web.request("DELETE", "/v0/user/delete", data={"password": PASSWORD})
        assert gone.json()["message"] == "user deleted successfully"


def test_bad_input_in_fairos_words(camel: httpx.Client) -> None:
    web = camel
    plain = web.post(
        "/v1/pod/new", content=b'{"podName":"x"}', headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 400
    # a body it could not read does not say its generation: answered as v0.8, with a code
    assert plain.json() == {"message": "pod new: invalid request body type", "code": 400}
    bad = web.post("/v1/pod/new", content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad.json()["message"] == "pod new: could not decode arguments"
    assert web.post("/v1/pod/fork", json={"forkName": "f"}).json() == {
        "message": 'pod fork: "podName" argument missing'
    }
    assert web.post("/v1/pod/new", json={"pod_name": ""}).json() == {
        "message": 'pod new: "pod_name" argument missing',
        "code": 400,
    }
    assert web.post("/v1/pod/open", json={"podName": "ghost"}).status_code == 404
    web.post("/v1/pod/new", json={"podName": "q"})
    web.post("/v1/pod/close", json={"podName": "q"})
    closed = web.post("/v1/dir/mkdir", json={"podName": "q", "dirPath": "/a"})
    assert closed.status_code == 400 and closed.json() == {"message": "mkdir: pod not open"}
    web.post("/v1/pod/open", json={"podName": "q"})
    for hostile in ("/../../etc", "/a/\x00b", "/" + "x" * 300):
        answer = web.post("/v1/dir/mkdir", json={"podName": "q", "dirPath": hostile})
        assert 400 <= answer.status_code < 500, (hostile, answer.text)
        assert answer.json()["message"].startswith("mkdir: ")
    for size in ("9Mb", "10", "999999", "lots"):
        big = web.post(
            "/v1/file/upload",
            data={"podName": "q", "dirPath": "/", "blockSize": size},
            files={"files": ("a", b"a")},
        )
        assert big.status_code == 400
        assert (
            big.json()["message"]
            == "upload: block size must be between 1000000 - 8000000 (1Mb - 8Mb)"
        )
    missing = web.get("/v1/file/download", params={"podName": "q", "filePath": "/none"})
    assert missing.status_code == 404
    assert missing.json()["message"] == "download: file not found in dfs"
    assert (
        web.get(
            "/v1/kv/entry/get", params={"podName": "q", "tableName": "t", "key": "k"}
        ).status_code
        == 400
    )
    assert web.post(
        "/v1/kv/new", json={"podName": "q", "tableName": "t", "indexType": "vector"}
    ).json() == {"message": 'kv create: invalid "indexType"'}
    assert web.post("/v1/doc/new", json={"podName": "q", "tableName": "d", "si": "age"}).json() == {
        "message": 'doc create: "si" invalid argument'
    }
    assert web.post("/v1/dir/mkdir", json={"podName": 5, "dirPath": "/a"}).status_code == 400
    assert web.request("PUT", "/v1/pod/new").status_code == 405
    assert web.get("/v1/nothing/here").status_code == 404


def test_no_route_reaches_another_users_pod(fairos: FairosServer) -> None:
    owner, stranger = _user(fairos), _user(fairos)
    try:
        owner.post("/v1/pod/new", json={"podName": "private"})
        owner.post("/v1/dir/mkdir", json={"podName": "private", "dirPath": "/secret"})
        address = owner.get("/v1/pod/stat", params={"podName": "private"}).json()["address"]
        pod_id = "-".join(
            (address[:8], address[8:12], address[12:16], address[16:20], address[20:])
        )
        for name in ("private", pod_id):
            opened = stranger.post("/v1/pod/open", json={"podName": name})
            assert opened.status_code == 404, (name, opened.text)
            listed = stranger.get("/v1/dir/ls", params={"podName": name, "dirPath": "/"})
            assert listed.status_code in (400, 404)
        assert stranger.get("/v1/pod/ls").json()["pods"] == []
    finally:
        owner.close()
        stranger.close()


def test_groups_share_a_drive(fairos: FairosServer) -> None:
    owner, member = _user(fairos), _user(fairos)
    try:
        group = f"g{uuid.uuid4().hex[:8]}"
        assert owner.post("/v1/group/new", json={"groupName": group}).status_code == 201
        made = owner.post("/v1/dir/mkdir", json={"groupName": group, "dirPath": "/plans"})
        assert made.status_code == 201, made.text
        up = owner.post(
            "/v1/file/upload",
            data={"groupName": group, "dirPath": "/plans", "blockSize": "1Mb"},
            files={"files": ("q1.txt", b"grow")},
        )
        assert up.status_code == 201, up.text
        address = member.get("/v1/user/stat").json()["address"]
        invite = owner.post(
            "/v1/group/invite", json={"groupName": group, "member": address, "permission": 1}
        ).json()["invite"]
        assert member.post("/v1/group/accept", json={"reference": invite}).status_code == 200
        assert member.get("/v1/group/ls").json()["sharedGroups"] == [{"name": group}]
        closed = member.get("/v1/dir/ls", params={"groupName": group, "dirPath": "/"})
        assert closed.json() == {"message": "ls: group not open"}
        assert member.post("/v1/group/open", json={"groupName": group}).status_code == 200
        query = {"groupName": group, "filePath": "/plans/q1.txt"}
        assert member.get("/v1/file/download", params=query).content == b"grow"
        assert member.get("/v1/group/permission", params={"groupName": group}).json() == {
            "permission": 1
        }
        refused = member.post("/v1/dir/mkdir", json={"groupName": group, "dirPath": "/mine"})
        assert refused.status_code == 403
        owner.post(
            "/v1/group/update-permission",
            json={"groupName": group, "member": address, "permission": 2},
        )
        assert member.post(
            "/v1/dir/mkdir", json={"groupName": group, "dirPath": "/mine"}
        ).is_success
        listed = owner.get("/v1/group/members", params={"groupName": group}).json()["members"]
        assert listed[address] == 2 and sorted(listed.values()) == [2, 3]
        owner.post("/v1/group/remove", json={"groupName": group, "member": address})
        gone = member.get("/v1/file/download", params=query)
        assert gone.status_code == 404
        deleted = owner.request("DELETE", "/v1/group/delete", json={"groupName": group})
        assert deleted.json() == {"message": "group deleted successfully"}
    finally:
        owner.close()
        member.close()


def test_public_pod(camel: httpx.Client, fairos: FairosServer) -> None:
    web = camel
    web.post("/v1/pod/new", json={"podName": "site"})
    web.post("/v1/dir/mkdir", json={"podName": "site", "dirPath": "/docs"})
    for folder, name, data in (
        ("/", "index.html", b"<h1>hi</h1>"),
        ("/docs", "a.css", b"body{}"),
    ):
        web.post(
            "/v1/file/upload",
            data={"podName": "site", "dirPath": folder, "blockSize": "1Mb"},
            files={"files": (name, data)},
        )
    ref = web.post("/v1/pod/share", json={"podName": "site"}).json()["podSharingReference"]
    with httpx.Client(base_url=fairos.url, timeout=30) as anyone:
        got = anyone.get("/public-file", params={"sharingRef": ref, "filePath": "/docs/a.css"})
        assert got.content == b"body{}"
        listing = anyone.get("/public-dir", params={"sharingRef": ref, "dirPath": "/"}).json()
        assert [d["name"] for d in listing["dirs"]] == ["docs"]
        assert [f["name"] for f in listing["files"]] == ["index.html"]
        tree = anyone.get("/public-pod-snapshot", params={"sharingRef": ref}).json()
        assert tree["fileList"][0]["fileName"] == "index.html"
        assert tree["dirList"][0]["fileList"][0]["fileName"] == "a.css"
        page = anyone.get(f"/public/{ref}/")
        assert page.content == b"<h1>hi</h1>" and page.headers["content-type"] == "text/html"
        moved = anyone.get(f"/public/{ref}")
        assert moved.status_code == 301 and moved.headers["location"] == f"/public/{ref}/"
        assert anyone.get(f"/public/{ref}/docs/a.css").headers["content-type"] == "text/css"
        bad = anyone.get("/public-file", params={"sharingRef": "x" * 20, "filePath": "/a"})
        assert bad.status_code == 404
        assert anyone.get(f"/public/{ref}/../../etc/passwd").status_code in (400, 404)
