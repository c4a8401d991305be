"""The contract adapter for the FairOS dialect (v2 users, v1 camelCase, Bearer accessToken)
on the main listener. FairOS shares by references, not grants with levels, and has no pod
members: the sharing matrix is left to its own tests."""

from __future__ import annotations

import posixpath
import uuid

import httpx

from tests.contract.frontend import TREE, Refused
from tests.fixtures.server import PASSWORD, Server


def _check(response: httpx.Response) -> httpx.Response:
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code >= 300:
        raise Refused(f"{response.status_code} {response.text[:200]}")
    return response


def _abs(path: str) -> str:
    return "/" + path.strip("/")


class FairosSession:
    def __init__(self, client: httpx.Client, name: str) -> None:
        self.client, self.name = client, name

    def create_pod(self, pod: str) -> None:
        _check(self.client.post("/v1/pod/new", json={"podName": pod}))

    def _open(self, scope: str) -> None:
        _check(self.client.post("/v1/pod/open", json={"podName": scope}))

    def mkdir(self, scope: str, path: str) -> None:
        self._open(scope)
        _check(self.client.post("/v1/dir/mkdir", json={"podName": scope, "dirPath": _abs(path)}))

    def upload(self, scope: str, path: str, data: bytes) -> None:
        self._open(scope)
        folder, name = posixpath.split(_abs(path))
        fields = {"podName": scope, "dirPath": folder, "blockSize": "1Mb"}
        _check(self.client.post("/v1/file/upload", data=fields, files={"files": (name, data)}))

    def download(self, scope: str, path: str) -> bytes:
        self._open(scope)
        query = {"podName": scope, "filePath": _abs(path)}
        return _check(self.client.get("/v1/file/download", params=query)).content

    def listing(self, scope: str, path: str) -> dict[str, str]:
        self._open(scope)
        query = {"podName": scope, "dirPath": _abs(path)}
        found = _check(self.client.get("/v1/dir/ls", params=query)).json()
        return {d["name"]: "dir" for d in found.get("dirs", [])} | {
            f["name"]: "file" for f in found.get("files", [])
        }

    def move(self, scope: str, source: str, target: str) -> None:
        self._open(scope)
        body = {"podName": scope, "oldPath": _abs(source), "newPath": _abs(target)}
        moved = self.client.post("/v1/file/rename", json=body)
        if moved.status_code == 404:
            moved = self.client.post("/v1/dir/rename", json=body)
        _check(moved)

    def delete(self, scope: str, path: str) -> None:
        self._open(scope)
        body = {"podName": scope, "filePath": _abs(path)}
        _check(self.client.request("DELETE", "/v1/file/delete", json=body))


class FairosFrontEnd:
    name = "fairos"
    capabilities = {TREE}

    def __init__(self, server: Server) -> None:
        self.server = server

    def sign_up(self, prefix: str) -> FairosSession:
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        client = httpx.Client(base_url=self.server.url, timeout=60)
        body = {"userName": name, "password": PASSWORD}
        token = _check(client.post("/v2/user/signup", json=body)).json()["accessToken"]
        client.cookies.clear()
        client.headers["Authorization"] = f"Bearer {token}"
        return FairosSession(client, name)

    def anonymous(self) -> FairosSession:
        return FairosSession(httpx.Client(base_url=self.server.url, timeout=60), "")

    def share(
        self, owner: FairosSession, pod: str, path: str, grantee: FairosSession, level: str
    ) -> str:
        raise NotImplementedError("FairOS has no grants with levels")

    def add_member(self, owner: FairosSession, pod: str, member: FairosSession, role: str) -> str:
        raise NotImplementedError("FairOS has no pod members")

    def pod_scope(self, owner: FairosSession, pod: str) -> str:
        return pod
