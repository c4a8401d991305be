"""The contract adapter for the web UI: what a browser does, as plain HTTP (forms, links,
the no-script upload form), reading answers from the pages."""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import quote, unquote

import httpx

from tests.contract.frontend import CAPABILITIES, Refused
from tests.fixtures.server import PASSWORD, Server

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
ROW = re.compile(
    r'<tr data-name="[^"]*" data-kind="(file|dir)">.*?name="path" value="([^"]*)"', re.S
)
SHARED = re.compile(r'<a href="/files/(share%3A[^"/]+|share:[^"/]+)">')
POD_ID = re.compile(r'data-pod-id="([^"]*)"')


def _check(response: httpx.Response) -> httpx.Response:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.status_code >= 300 or "/login" in str(response.url):
        raise Refused(f"{response.status_code} {response.url}")
    return response


def _url(path: str) -> str:
    return quote(path.strip("/"), safe="/")


def _parent(path: str) -> str:
    return path.strip("/").rpartition("/")[0]


def _base(path: str) -> str:
    return path.strip("/").rpartition("/")[2]


class WebSession:
    def __init__(self, client: httpx.Client, name: str) -> None:
        self.client, self.name = client, name
        found = CSRF.search(client.get("/pods").text) if name else None
        self.csrf = found.group(1) if found else ""

    def _post(self, url: str, **fields: str | list[str]) -> httpx.Response:
        form = {"csrf": self.csrf, "next": "/pods", **fields}
        return _check(self.client.post(url, data=form, follow_redirects=True))

    def create_pod(self, pod: str) -> None:
        self._post("/pods/new", name=pod)

    def mkdir(self, scope: str, path: str) -> None:
        self._post(f"/act/{_url(scope)}/mkdir", folder=_parent(path), name=_base(path))

    def upload(self, scope: str, path: str, data: bytes) -> None:
        query = {"folder": _parent(path), "csrf": self.csrf}
        files = {"file": (_base(path), data, "application/octet-stream")}
        url = f"/act/{_url(scope)}/upload"
        _check(self.client.post(url, params=query, files=files, follow_redirects=True))

    def download(self, scope: str, path: str) -> bytes:
        url = f"/api/v1/pods/{_url(scope)}/files/{_url(path)}?download=1"
        return _check(self.client.get(url)).content

    def listing(self, scope: str, path: str) -> dict[str, str]:
        page = _check(self.client.get(f"/files/{_url(scope)}/{_url(path)}", follow_redirects=True))
        return {_base(html.unescape(p)): kind for kind, p in ROW.findall(page.text)}

    def move(self, scope: str, source: str, target: str) -> None:
        if _base(source) != _base(target):
            if _parent(source) == _parent(target):
                self._post(f"/act/{_url(scope)}/rename", path=source, name=_base(target))
                return
            self._post(f"/act/{_url(scope)}/rename", path=source, name=_base(target))
            source = f"{_parent(source)}/{_base(target)}"
        self._post(
            f"/act/{_url(scope)}/selection", op="move", path=[source], target=_parent(target)
        )

    def delete(self, scope: str, path: str) -> None:
        self._post(f"/act/{_url(scope)}/selection", op="delete", path=[path])


class WebFrontEnd:
    name = "web"
    capabilities = set(CAPABILITIES)

    def __init__(self, server: Server) -> None:
        self.server = server

    def sign_up(self, prefix: str) -> WebSession:
        client = httpx.Client(base_url=self.server.url, timeout=60)
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        form = {"name": name, "password": PASSWORD, "password2": PASSWORD}
        assert client.post("/signup", data=form).status_code == 200
        return WebSession(client, name)

    def anonymous(self) -> WebSession:
        return WebSession(httpx.Client(base_url=self.server.url, timeout=60), "")

    def share(self, owner: WebSession, pod: str, path: str, grantee: WebSession, level: str) -> str:
        before = set(SHARED.findall(grantee.client.get("/pods").text))
        owner._post(f"/act/{_url(pod)}/share", path=path, who=grantee.name, level=level)
        (new,) = set(SHARED.findall(grantee.client.get("/pods").text)) - before
        return unquote(new)

    def add_member(self, owner: WebSession, pod: str, member: WebSession, role: str) -> str:
        owner._post(f"/pods/{_url(pod)}/members", who=member.name, role=role)
        return self.pod_scope(owner, pod)

    def pod_scope(self, owner: WebSession, pod: str) -> str:
        found = POD_ID.search(_check(owner.client.get(f"/files/{_url(pod)}")).text)
        assert found and found.group(1)
        return found.group(1)
