"""The contract adapter for WebDAV: every file operation over /dav/ with HTTP Basic; a
parent folder is made with MKCOL before a PUT, as WebDAV clients do. Grants and members
are handed out through the native API (WebDAV has no sharing of its own)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote, unquote

import httpx

from tests.contract.adapters.native import NativeFrontEnd, NativeSession
from tests.contract.frontend import CAPABILITIES, Refused
from tests.fixtures.server import Server

D = "{DAV:}"


def _check(response: httpx.Response) -> httpx.Response:
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code >= 300:
        raise Refused(f"{response.status_code} {response.text[:200]}")
    return response


def dav_path(scope: str, path: str) -> str:
    """/dav/{scope}/{path}, each name percent-encoded (dots too: the server must see them)."""
    names = [scope, *[p for p in path.split("/") if p]]
    return "/dav/" + "/".join(
        quote(n, safe=":").replace(".", "%2E") if n in (".", "..") else quote(n, safe=":")
        for n in names
    )


def listing_of(body: bytes, own: str) -> dict[str, str]:
    """name -> "file" or "dir" of a Depth 1 PROPFIND answer, without the folder itself."""
    found: dict[str, str] = {}
    for response in ET.fromstring(body).iter(f"{D}response"):
        href = unquote(response.findtext(f"{D}href", "")).rstrip("/")
        if href == own.rstrip("/"):
            continue
        collection = response.find(f".//{D}resourcetype/{D}collection") is not None
        found[href.rsplit("/", 1)[-1]] = "dir" if collection else "file"
    return found


class WebDavSession:
    def __init__(self, server: Server, name: str, password: str | None, native: NativeSession):
        auth = httpx.BasicAuth(name, password) if password else None
        self.client = httpx.Client(base_url=server.url, auth=auth, timeout=60)
        self.name, self.native, self.url = name, native, server.url

    def create_pod(self, pod: str) -> None:
        _check(self.client.request("MKCOL", dav_path(pod, "") + "/"))

    def mkdir(self, scope: str, path: str) -> None:
        _check(self.client.request("MKCOL", dav_path(scope, path) + "/"))

    def upload(self, scope: str, path: str, data: bytes) -> None:
        names = [p for p in path.split("/") if p]
        for depth in range(1, len(names)):
            made = self.client.request("MKCOL", dav_path(scope, "/".join(names[:depth])) + "/")
            if made.status_code != 405:  # 405: it exists already
                _check(made)
        _check(self.client.put(dav_path(scope, path), content=data))

    def download(self, scope: str, path: str) -> bytes:
        return _check(self.client.get(dav_path(scope, path))).content

    def listing(self, scope: str, path: str) -> dict[str, str]:
        own = dav_path(scope, path) + "/"
        body = '<propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>'
        answer = _check(self.client.request("PROPFIND", own, headers={"Depth": "1"}, content=body))
        return listing_of(answer.content, unquote(own))

    def move(self, scope: str, source: str, target: str) -> None:
        destination = self.url + dav_path(scope, target)
        _check(
            self.client.request(
                "MOVE", dav_path(scope, source), headers={"Destination": destination}
            )
        )

    def delete(self, scope: str, path: str) -> None:
        _check(self.client.delete(dav_path(scope, path)))


class WebDavFrontEnd:
    name = "webdav"
    capabilities = set(CAPABILITIES)

    def __init__(self, server: Server) -> None:
        self.server = server
        self.native = NativeFrontEnd(server)

    def sign_up(self, prefix: str) -> WebDavSession:
        native = self.native.sign_up(prefix)
        password = native.client.password  # type: ignore[attr-defined]
        return WebDavSession(self.server, native.name, password, native)

    def anonymous(self) -> WebDavSession:
        return WebDavSession(self.server, "", None, self.native.anonymous())

    def share(
        self, owner: WebDavSession, pod: str, path: str, grantee: WebDavSession, level: str
    ) -> str:
        return self.native.share(owner.native, pod, path, grantee.native, level)

    def add_member(self, owner: WebDavSession, pod: str, member: WebDavSession, role: str) -> str:
        return self.native.add_member(owner.native, pod, member.native, role)

    def pod_scope(self, owner: WebDavSession, pod: str) -> str:
        return self.native.pod_scope(owner.native, pod)
