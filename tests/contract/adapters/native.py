"""The contract adapter for the native REST API."""

from __future__ import annotations

import httpx

from tests.contract.frontend import CAPABILITIES, Refused
from tests.fixtures.server import Server


def _check(response: httpx.Response) -> httpx.Response:
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code >= 300:
        raise Refused(f"{response.status_code} {response.text[:200]}")
    return response


class NativeSession:
    def __init__(self, client: httpx.Client, name: str) -> None:
        self.client, self.name = client, name

    def create_pod(self, pod: str) -> None:
        _check(self.client.post("/pods", json={"name": pod}))

    def mkdir(self, scope: str, path: str) -> None:
        _check(self.client.post(f"/pods/{scope}/mkdir/{path}"))

    def upload(self, scope: str, path: str, data: bytes) -> None:
        _check(self.client.put(f"/pods/{scope}/files/{path}", content=data))

    def download(self, scope: str, path: str) -> bytes:
        return _check(self.client.get(f"/pods/{scope}/files/{path}")).content

    def listing(self, scope: str, path: str) -> dict[str, str]:
        entries = _check(self.client.get(f"/pods/{scope}/list/{path}")).json()["entries"]
        return {e["name"]: e["type"] for e in entries}

    def move(self, scope: str, source: str, target: str) -> None:
        _check(self.client.post(f"/pods/{scope}/move", json={"from": source, "to": target}))

    def delete(self, scope: str, path: str) -> None:
        _check(self.client.delete(f"/pods/{scope}/files/{path}"))


class NativeFrontEnd:
    name = "native"
    capabilities = set(CAPABILITIES)

    def __init__(self, server: Server) -> None:
        self.server = server

    def sign_up(self, prefix: str) -> NativeSession:
        user = self.server.new_user(prefix)
        return NativeSession(user, user.name)

    def anonymous(self) -> NativeSession:
        return NativeSession(self.server.client(), "")

    def share(
        self, owner: NativeSession, pod: str, path: str, grantee: NativeSession, level: str
    ) -> str:
        body = {"path": path, "user": grantee.name, "level": level}
        scope: str = _check(owner.client.post(f"/pods/{pod}/shares", json=body)).json()["pod"]
        return scope

    def add_member(self, owner: NativeSession, pod: str, member: NativeSession, role: str) -> str:
        _check(owner.client.post(f"/pods/{pod}/members", json={"user": member.name, "role": role}))
        return self.pod_scope(owner, pod)

    def pod_scope(self, owner: NativeSession, pod: str) -> str:
        pod_id: str = _check(owner.client.get(f"/pods/{pod}")).json()["id"]
        return pod_id
