"""The contract adapter for the AntOS VFS dialect.

Every operation under test goes through AntOS's routes as the desktop sends them
(`//VFS/…`, the `sessionid` cookie), on `pod://<scope>/…` paths (the dialect's name for
any pod or share). What AntOS has no words for is set up through the native API, as an
administrator would: signing up, creating a pod, granting a share, adding a member.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import httpx

from tests.contract.frontend import CAPABILITIES, Refused
from tests.fixtures.server import Server, User


def _answer(response: httpx.Response) -> Any:
    assert response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    if body.get("error") is not False:
        raise Refused(str(body.get("error")))
    return body["result"]


class AntosSession:
    def __init__(self, server: Server, native: User | None) -> None:
        self.server, self.native = server, native
        self.name = native.name if native else ""
        self.http = httpx.Client(timeout=60)
        if native is not None:
            login = {"username": native.name, "password": native.password}
            _answer(self.http.post(server.url + "//user/login", json=login))

    def _call(self, action: str, **body: Any) -> Any:
        return _answer(self.http.post(f"{self.server.url}//VFS/{action}", json=body))

    @staticmethod
    def _path(scope: str, path: str) -> str:
        return f"pod://{scope}/{path}"

    def create_pod(self, pod: str) -> None:
        if self.native is None:
            raise Refused("an anonymous client has no pods")
        assert self.native.post("/pods", json={"name": pod}).status_code == 201

    def mkdir(self, scope: str, path: str) -> None:
        self._call("mkdir", path=self._path(scope, path))

    def upload(self, scope: str, path: str, data: bytes) -> None:
        """Into an existing folder as the Files app uploads (multipart); elsewhere as the
        editors save (a data URL), which makes the folders on the way."""
        folder, _, name = path.rpartition("/")
        files = {"path": (None, self._path(scope, folder)), "upload-0": (name, data)}
        try:
            _answer(self.http.post(f"{self.server.url}//VFS/upload", files=files))
        except Refused as refused:
            if refused.reason != "Resource does not exist":
                raise
            url = "data:application/octet-stream;base64," + base64.b64encode(data).decode()
            self._call("write", path=self._path(scope, path), data=url)

    def download(self, scope: str, path: str) -> bytes:
        encoded = quote(self._path(scope, path), safe="")
        response = self.http.get(f"{self.server.url}//VFS/get/{encoded}")
        assert response.status_code < 500, response.text
        if response.headers.get("content-type") == "application/json":
            _answer(response)  # AntOS's errors come as its envelope
        return response.content

    def listing(self, scope: str, path: str) -> dict[str, str]:
        entries = self._call("scandir", path=self._path(scope, path))
        return {e["filename"]: e["type"] for e in entries}

    def move(self, scope: str, source: str, target: str) -> None:
        self._call("move", src=self._path(scope, source), dest=self._path(scope, target))

    def delete(self, scope: str, path: str) -> None:
        self._call("delete", path=self._path(scope, path))


class AntosFrontEnd:
    name = "antos"
    capabilities = set(CAPABILITIES)

    def __init__(self, server: Server) -> None:
        self.server = server

    def sign_up(self, prefix: str) -> AntosSession:
        return AntosSession(self.server, self.server.new_user(prefix))

    def anonymous(self) -> AntosSession:
        return AntosSession(self.server, None)

    @staticmethod
    def _native(session: AntosSession) -> User:
        assert session.native is not None
        return session.native

    def share(
        self, owner: AntosSession, pod: str, path: str, grantee: AntosSession, level: str
    ) -> str:
        body = {"path": path, "user": grantee.name, "level": level}
        response = self._native(owner).post(f"/pods/{pod}/shares", json=body)
        assert response.status_code == 201, response.text
        scope: str = response.json()["pod"]
        return scope

    def add_member(self, owner: AntosSession, pod: str, member: AntosSession, role: str) -> str:
        body = {"user": member.name, "role": role}
        response = self._native(owner).post(f"/pods/{pod}/members", json=body)
        assert response.status_code < 300, response.text
        return self.pod_scope(owner, pod)

    def pod_scope(self, owner: AntosSession, pod: str) -> str:
        pod_id: str = self._native(owner).get(f"/pods/{pod}").json()["id"]
        return pod_id
