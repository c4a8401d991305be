"""Pod sharing between two users: pod/share → receiveinfo → receive (a live, read-only shared
pod, listed in sharedPods) and fork-from-reference (an independent copy)."""

from __future__ import annotations

import httpx

from tests.frontends.dialects.fairos.conftest import FairosServer
from tests.frontends.dialects.fairos.test_flows import _user


def _upload(web: httpx.Client, pod: str, name: str, data: bytes) -> None:
    up = web.post(
        "/v1/file/upload",
        data={"podName": pod, "dirPath": "/", "blockSize": "1Mb"},
        files={"files": (name, data)},
    )
    assert up.status_code == 201, up.text


def test_receive_a_shared_pod_and_fork_it(fairos: FairosServer) -> None:
    owner, other = _user(fairos), _user(fairos)
    try:
        owner.post("/v1/pod/new", json={"podName": "photos"})
        _upload(owner, "photos", "a.txt", b"first")
        ref = owner.post("/v1/pod/share", json={"podName": "photos"}).json()["podSharingReference"]
        owner_address = owner.get("/v1/user/stat").json()["address"]

        info = other.get("/v1/pod/receiveinfo", params={"sharingRef": ref}).json()
        assert info["podName"] == "photos" and info["userAddress"] == owner_address
        assert len(info["podAddress"]) == 32 and info["password"] == ""
        got = other.get("/v1/pod/receive", params={"sharingRef": ref, "sharedPodName": "theirs"})
        assert got.json() == {"message": 'public pod "theirs", added as shared pod', "code": 200}
        assert other.get("/v1/pod/ls").json()["sharedPods"] == ["theirs"]
        assert other.post("/v1/pod/open", json={"podName": "theirs"}).status_code == 200

        _upload(owner, "photos", "b.txt", b"added later")  # a live view, not a snapshot
        read = other.get("/v1/file/download", params={"podName": "theirs", "filePath": "/b.txt"})
        assert read.content == b"added later"
        refused = other.post(
            "/v1/file/upload",
            data={"podName": "theirs", "dirPath": "/", "blockSize": "1Mb"},
            files={"files": ("c.txt", b"no")},
        )
        assert refused.status_code == 400 and "read only pod" in refused.text
        again = other.get("/v1/pod/receive", params={"sharingRef": ref})
        assert again.status_code == 400

        forked = other.post(
            "/v1/pod/fork-from-reference", json={"forkName": "mine", "podSharingReference": ref}
        )
        assert forked.json() == {"message": "pod forked successfully"}
        assert "mine" in other.get("/v1/pod/ls").json()["pods"]
        other.post("/v1/pod/open", json={"podName": "mine"})
        _upload(other, "mine", "a.txt", b"changed")
        theirs = owner.get("/v1/file/download", params={"podName": "photos", "filePath": "/a.txt"})
        assert theirs.content == b"first"
        twice = other.post(
            "/v1/pod/fork-from-reference", json={"forkName": "mine", "podSharingReference": ref}
        )
        assert twice.json() == {"message": "pod fork: pod with fork name already exists"}

        bad = other.get("/v1/pod/receiveinfo", params={"sharingRef": "x" * 30})
        assert bad.status_code == 404
        assert bad.json()["message"] == "pod receive info: invalid sharing reference"
        anonymous = httpx.get(f"{fairos.url}/v1/pod/receive", params={"sharingRef": ref})
        assert anonymous.status_code == 401
    finally:
        owner.close()
        other.close()
