"""The contract adapter for the FileAgo dialect: every file operation goes through
FileAgo's routes, by node UUID. FileAgo has no pods, grants or members in its API, so those
(sign-up, pod creation, sharing, membership) are set up natively; a scope is the UUID of
the folder it starts at (a pod's root or a granted folder)."""

from __future__ import annotations

import httpx

from tests.contract.frontend import CAPABILITIES, Refused
from tests.fixtures.server import Server, User
from tests.frontends.dialects.fileago.client import FileAgo, with_email

LATEST = "999999999999999"


def _check(response: httpx.Response) -> httpx.Response:
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code >= 300:
        raise Refused(f"{response.status_code} {response.text[:200]}")
    return response


class FileAgoSession:
    def __init__(self, server: Server, native: User | None, client: httpx.Client) -> None:
        self.server, self.native, self.client = server, native, client
        self.name = native.name if native else ""
        self.key = client.key if isinstance(client, FileAgo) else "none"

    def root(self, scope: str) -> str:
        """A scope's folder UUID: given as one, or the user's pod of that name."""
        if len(scope) == 36 and scope.count("-") == 4:
            return scope
        if self.native is None:
            raise Refused("an anonymous client names no pods")
        return str(_check(self.native.get(f"/pods/{scope}")).json()["root_id"])

    def children(self, node: str) -> dict[str, dict[str, object]]:
        data = _check(self.client.get(f"/api/nodes/{node}/dirlist")).json()["data"]
        return {entry["name"]: entry for entry in data}

    def find(self, scope: str, path: str) -> tuple[str, str]:
        """(UUID, "dir"/"file") of `path` below the scope, walked one listing at a time."""
        node, kind = self.root(scope), "dir"
        for part in [p for p in path.split("/") if p]:
            found = self.children(node).get(part) if kind == "dir" else None
            if found is None:
                raise Refused(f"no {part!r} on the way to {path!r}")
            node, kind = str(found["uuid"]), "dir" if found["type"] == "Dir" else "file"
        return node, kind

    def folder(self, scope: str, path: str, create: bool = False) -> str:
        node = self.root(scope)
        for part in [p for p in path.split("/") if p]:
            found = self.children(node).get(part)
            if found is None and create:
                _check(self.client.post(f"/api/nodes/{node}", json={"new_dir": part}))
                found = self.children(node).get(part)
            if found is None or found["type"] != "Dir":
                raise Refused(f"no folder {part!r}")
            node = str(found["uuid"])
        return node

    def create_pod(self, pod: str) -> None:
        assert self.native is not None
        _check(self.native.post("/pods", json={"name": pod}))

    def mkdir(self, scope: str, path: str) -> None:
        parent, _, name = path.rpartition("/")
        node = self.folder(scope, parent)
        _check(self.client.post(f"/api/nodes/{node}", json={"new_dir": name}))

    def upload(self, scope: str, path: str, data: bytes) -> None:
        parent, _, name = path.rpartition("/")
        folder = self.folder(scope, parent, create=True)
        existing = self.children(folder).get(name)
        into = str(existing["uuid"]) if existing else folder
        token = _check(self.client.get(f"/api/nodes/{into}/upload")).json()["token"]
        files = {"file": (name, data)}
        _check(httpx.post(f"{self.server.url}/upload/{token}", files=files, timeout=60))

    def download(self, scope: str, path: str) -> bytes:
        node, _ = self.find(scope, path)
        url = f"/resources/auth/download/{self.key}/{node}/{LATEST}/{path.rpartition('/')[2]}"
        return _check(self.client.get(url)).content

    def listing(self, scope: str, path: str) -> dict[str, str]:
        node, _ = self.find(scope, path)
        return {n: "dir" if e["type"] == "Dir" else "file" for n, e in self.children(node).items()}

    def move(self, scope: str, source: str, target: str) -> None:
        node, _ = self.find(scope, source)
        parent, _, name = target.rpartition("/")
        if source.rpartition("/")[0] != parent:
            into = self.folder(scope, parent)
            _check(self.client.post(f"/api/nodes/{node}", json={"move_to": into}))
        if source.rpartition("/")[2] != name:
            _check(self.client.post(f"/api/nodes/{node}", json={"new_name": name}))

    def delete(self, scope: str, path: str) -> None:
        node, _ = self.find(scope, path)
        _check(self.client.delete(f"/api/nodes/{node}"))


class FileAgoFrontEnd:
    name = "fileago"
    capabilities = set(CAPABILITIES)

    def __init__(self, server: Server) -> None:
        self.server = server

    def sign_up(self, prefix: str) -> FileAgoSession:
        user, email = with_email(self.server, prefix, pod=None)
        return FileAgoSession(self.server, user, FileAgo(self.server, email))

    def anonymous(self) -> FileAgoSession:
        return FileAgoSession(self.server, None, httpx.Client(base_url=self.server.url))

    def share(
        self, owner: FileAgoSession, pod: str, path: str, grantee: FileAgoSession, level: str
    ) -> str:
        assert owner.native is not None
        body = {"path": path, "user": grantee.name, "level": level}
        return str(_check(owner.native.post(f"/pods/{pod}/shares", json=body)).json()["node_id"])

    def add_member(self, owner: FileAgoSession, pod: str, member: FileAgoSession, role: str) -> str:
        assert owner.native is not None
        body = {"user": member.name, "role": role}
        _check(owner.native.post(f"/pods/{pod}/members", json=body))
        return self.pod_scope(owner, pod)

    def pod_scope(self, owner: FileAgoSession, pod: str) -> str:
        return owner.root(pod)
