"""chmod on dirs and files (mode in base 10, as FairOS parses it), shown by stat, ls and the
public snapshot; refused on a pod the user only views."""

from __future__ import annotations

import httpx

from tests.frontends.dialects.fairos.conftest import FairosServer
from tests.frontends.dialects.fairos.test_flows import _user

S_IFDIR, S_IFREG = 0o040000, 0o100000


def test_chmod_dirs_and_files(fairos: FairosServer) -> None:
    web = _user(fairos)
    try:
        web.post("/v1/pod/new", json={"podName": "p"})
        web.post("/v1/dir/mkdir", json={"podName": "p", "dirPath": "/d"})
        web.post(
            "/v1/file/upload",
            data={"podName": "p", "dirPath": "/d", "blockSize": "1Mb"},
            files={"files": ("a.txt", b"x")},
        )
        done = web.post("/v1/dir/chmod", json={"podName": "p", "dirPath": "/d", "mode": "493"})
        assert done.json() == {"message": "directory renamed successfully"}  # FairOS's text
        done = web.post(
            "/v1/file/chmod", json={"podName": "p", "filePath": "/d/a.txt", "mode": "420"}
        )
        assert done.json() == {"message": "file mode changed successfully"}

        stat = web.get("/v1/dir/stat", params={"podName": "p", "dirPath": "/d"}).json()
        assert stat["mode"] == S_IFDIR | 0o755
        info = web.get("/v1/file/stat", params={"podName": "p", "filePath": "/d/a.txt"}).json()
        assert info["mode"] == S_IFREG | 0o644
        root = web.get("/v1/dir/ls", params={"podName": "p", "dirPath": "/"}).json()
        assert root["dirs"][0]["mode"] == S_IFDIR | 0o755
        ref = web.post("/v1/pod/share", json={"podName": "p"}).json()["podSharingReference"]
        tree = httpx.get(f"{fairos.url}/public-pod-snapshot", params={"sharingRef": ref}).json()
        assert tree["dirList"][0]["mode"] == S_IFDIR | 0o755
        assert tree["dirList"][0]["fileList"][0]["mode"] == S_IFREG | 0o644

        for mode in ("0o755", "-1", "4096", ""):
            bad = web.post("/v1/dir/chmod", json={"podName": "p", "dirPath": "/d", "mode": mode})
            assert bad.status_code == 400, mode
        gone = web.post("/v1/file/chmod", json={"podName": "p", "filePath": "/no", "mode": "1"})
        assert gone.status_code == 404

        reader = _user(fairos)
        try:
            reader.get("/v1/pod/receive", params={"sharingRef": ref})
            reader.post("/v1/pod/open", json={"podName": "p"})
            refused = reader.post(
                "/v1/dir/chmod", json={"podName": "p", "dirPath": "/d", "mode": "511"}
            )
            assert refused.json()["message"] == "chmod: operation not permitted: read only pod"
        finally:
            reader.close()
    finally:
        web.close()
