"""The contract adapter for the Hasura file API (listener `hasura`, mode `private`).

The protocol has files by id and nothing else: no pods, folders, listings, moves, shares or
members. A path is the file's id and the scope is ignored (ids are global); `create_pod` has
nothing to do, as the service makes the uploader's pod on the first upload. The adapter
declares no capabilities, so the suite runs only what files by id can express.
"""

from __future__ import annotations

import httpx

from tests.contract.frontend import Refused
from tests.fixtures.server import Server

ENV = {"PODSTORE_FRONTENDS__HASURA__PERMISSIONS": "private"}  # for the contract's server


def _check(response: httpx.Response) -> httpx.Response:
    assert response.status_code < 500, (response.status_code, response.text)
    assert response.headers.get("content-type"), "every answer has a Content-Type"
    if response.status_code >= 300:
        raise Refused(f"{response.status_code} {response.text[:200]}")
    return response


class HasuraSession:
    def __init__(self, client: httpx.Client, name: str) -> None:
        self.client, self.name = client, name

    def create_pod(self, pod: str) -> None:
        pass  # the file service makes the user's pod on the first upload

    def upload(self, scope: str, path: str, data: bytes) -> None:
        headers = {"Content-Type": "application/octet-stream"}
        _check(self.client.put(f"/v1/file/{path}", content=data, headers=headers))

    def download(self, scope: str, path: str) -> bytes:
        return _check(self.client.get(f"/v1/file/{path}")).content

    def delete(self, scope: str, path: str) -> None:
        _check(self.client.delete(f"/v1/file/{path}"))

    def mkdir(self, scope: str, path: str) -> None:
        raise NotImplementedError("the Hasura file API has no folders")

    def listing(self, scope: str, path: str) -> dict[str, str]:
        raise NotImplementedError("the Hasura file API has no listings")

    def move(self, scope: str, source: str, target: str) -> None:
        raise NotImplementedError("the Hasura file API cannot move a file")


class HasuraFrontEnd:
    name = "hasura"
    capabilities: set[str] = set()

    def __init__(self, server: Server) -> None:
        self.server = server

    def _client(self, token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.server.listener_url("hasura"), headers=headers)

    def sign_up(self, prefix: str) -> HasuraSession:
        user = self.server.new_user(prefix)
        user.close()
        return HasuraSession(self._client(user.token), user.name)

    def anonymous(self) -> HasuraSession:
        return HasuraSession(self._client(None), "")

    def share(
        self, owner: HasuraSession, pod: str, path: str, grantee: HasuraSession, level: str
    ) -> str:
        raise NotImplementedError("the Hasura file API has no shares")

    def add_member(self, owner: HasuraSession, pod: str, member: HasuraSession, role: str) -> str:
        raise NotImplementedError("the Hasura file API has no pods to be a member of")

    def pod_scope(self, owner: HasuraSession, pod: str) -> str:
        return pod  # ids are global: any scope names the same files
