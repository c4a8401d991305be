"""The native API's own authorization matrix: the routes only it has (public links, node ids,
trash, versions, sharing) by every kind of principal, from one table. The operations every
front end has are in tests/contract/test_authorization.py.

The owner's pod `proj` holds `shared/` (granted, linked, shared with a group) and
`private/` (only for members). Each principal reaches things the way it would in real
life: members through the pod, grantees through their share or node ids, link holders
through the link URL, strangers by guessing the pod's id and node ids.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import blake3
import httpx
import pytest

from tests.fixtures.server import Server, User

PASSWORD = "open sesame"
PRINCIPALS = [
    "owner",
    "group_viewer",
    "group_editor",
    "grant_read",
    "grant_write",
    "grant_delete",
    "link",
    "link_no_password",
    "stranger",
    "anonymous",
]
T, F = True, False

# operation: expected allow per principal, in the order of PRINCIPALS
MATRIX: dict[str, list[bool]] = {
    "list_shared": [T, T, T, T, T, T, T, F, F, F],
    "download_shared": [T, T, T, T, T, T, T, F, F, F],
    "download_private": [T, T, T, F, F, F, F, F, F, F],
    "list_private": [T, T, T, F, F, F, F, F, F, F],
    "upload_new": [T, F, T, F, T, T, F, F, F, F],
    "overwrite": [T, F, T, F, T, T, F, F, F, F],
    "mkdir": [T, F, T, F, T, T, F, F, F, F],
    "delete": [T, F, T, F, F, T, F, F, F, F],
    "trash_list": [T, T, T, F, F, F, F, F, F, F],
    "versions": [T, T, T, T, T, T, F, F, F, F],
    "share": [T, F, F, F, F, F, F, F, F, F],
    "create_link": [T, F, F, F, F, F, F, F, F, F],
    "pod_stat": [T, T, T, F, F, F, F, F, F, F],
    "pod_policy": [T, F, F, F, F, F, F, F, F, F],
    "node_stat": [T, T, T, T, T, T, F, F, F, F],
    "node_content": [T, T, T, T, T, T, F, F, F, F],
    "node_children": [T, T, T, T, T, T, F, F, F, F],
    "node_upload": [T, F, T, F, T, T, F, F, F, F],
    "node_private": [T, T, T, F, F, F, F, F, F, F],
    "layout_shared": [T, T, T, T, T, T, F, F, F, F],
    "layout_private": [T, T, T, F, F, F, F, F, F, F],
    "chunks_missing": [T, F, T, F, T, T, F, F, F, F],
}


@dataclass
class World:
    server: Server
    owner: User
    pod_id: str
    ids: dict[str, str]
    clients: dict[str, httpx.Client]
    scopes: dict[str, str]  # how each principal names the pod or its share
    link_token: str
    bystander: str  # a user that shares are made to, who never acts

    def fresh_file(self, name: str) -> None:
        response = self.owner.put(f"/pods/proj/files/shared/{name}", content=b"victim")
        assert response.status_code in (200, 201)


@pytest.fixture(scope="module")
def world(server: Server) -> World:
    owner = server.new_user("owner", pod="proj")
    owner.put("/pods/proj/files/shared/doc.txt", content=b"shared words")
    owner.put("/pods/proj/files/shared/sub/x.txt", content=b"x")
    owner.put("/pods/proj/files/private/secret.txt", content=b"private words")
    pod_id = owner.get("/pods/proj").json()["id"]
    ids = {
        p: owner.get(f"/pods/proj/stat/{p}").json()["id"]
        for p in ("shared", "shared/doc.txt", "private/secret.txt")
    }
    users = {name: server.new_user(name.replace("_", "-")) for name in PRINCIPALS[1:-3]}
    users["stranger"] = server.new_user("stranger", pod="proj")  # same pod name, own pod
    group = f"team-{uuid.uuid4().hex[:8]}"
    assert owner.post("/groups", json={"name": group}).status_code == 201
    for name, role in (("group_viewer", "viewer"), ("group_editor", "editor")):
        added = owner.post(
            f"/groups/{group}/members", json={"user": users[name].name, "role": role}
        )
        assert added.status_code == 201, added.text
    # the group may edit the pod; a member's own role in the group caps that
    assert (
        owner.post("/pods/proj/members", json={"group": group, "role": "editor"}).status_code == 201
    )
    owner.delete(f"/groups/{group}/members/{owner.name}")  # the owner stays pod owner anyway
    scopes = {
        "owner": "proj",
        "group_viewer": pod_id,
        "group_editor": pod_id,
        "stranger": pod_id,
        "anonymous": pod_id,
    }
    for name, level in (
        ("grant_read", "read"),
        ("grant_write", "write"),
        ("grant_delete", "delete"),
    ):
        grant = owner.post(
            "/pods/proj/shares", json={"path": "shared", "user": users[name].name, "level": level}
        )
        assert grant.status_code == 201, grant.text
        scopes[name] = grant.json()["pod"]
    link = owner.post("/pods/proj/links", json={"path": "shared", "password": PASSWORD})
    assert link.status_code == 201
    token = link.json()["url"].rsplit("/", 1)[1]
    clients: dict[str, httpx.Client] = {"owner": owner, **users}
    clients["anonymous"] = server.client()
    clients["link"] = httpx.Client(
        base_url=f"{server.api_url}/public/{token}",
        headers={"X-Podstore-Link-Password": PASSWORD},
        timeout=30,
    )
    clients["link_no_password"] = httpx.Client(
        base_url=f"{server.api_url}/public/{token}", timeout=30
    )
    bystander = server.new_user("bystander").name
    return World(server, owner, pod_id, ids, clients, scopes, token, bystander)


def in_share(world: World, who: str, path: str) -> str:
    """The path of `shared/<path>` as this principal names it."""
    if world.scopes[who].startswith("share:"):
        return path
    return f"shared/{path}" if path else "shared"


Op = Callable[[World, str, httpx.Client], httpx.Response]


def pod_op(method: str, route: str, **kwargs: Any) -> Op:
    """An operation on `shared/…` through the pod or share API, or through the link."""

    def run(world: World, who: str, client: httpx.Client) -> httpx.Response:
        if who.startswith("link"):
            sub = kwargs.get("path", "")
            if route in ("list", "files"):
                content = b"from the link" if method == "PUT" else None
                return client.request(method, f"/{sub}" if sub else "", content=content)
            return client.request(method, f"/{route}/{sub}")
        scope = world.scopes[who]
        path = in_share(world, who, kwargs.get("path", ""))
        if route == "files":
            content = b"written" if method == "PUT" else None
            return client.request(method, f"/pods/{scope}/files/{path}", content=content)
        if route == "list":
            return client.get(f"/pods/{scope}/list/{path}")
        if route == "mkdir":
            return client.post(f"/pods/{scope}/mkdir/{path}")
        if route in ("versions", "layout"):
            return client.get(f"/pods/{scope}/{route}/{path}")
        if route == "chunks/missing":
            chunk = {"size": 6, "hash": blake3.blake3(b"victim").hexdigest()}
            return client.post(f"/pods/{scope}/chunks/missing", json={"chunks": [chunk]})
        raise AssertionError(route)

    return run


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def op_upload_new(world: World, who: str, client: httpx.Client) -> httpx.Response:
    return pod_op("PUT", "files", path=unique("new"))(world, who, client)


def op_mkdir(world: World, who: str, client: httpx.Client) -> httpx.Response:
    return pod_op("POST", "mkdir", path=unique("dir"))(world, who, client)


def op_delete(world: World, who: str, client: httpx.Client) -> httpx.Response:
    name = unique("doomed")
    world.fresh_file(name)
    return pod_op("DELETE", "files", path=name)(world, who, client)


def op_private(route: str) -> Op:
    def run(world: World, who: str, client: httpx.Client) -> httpx.Response:
        if who.startswith("link"):
            return client.get("/../private/secret.txt")
        scope = world.scopes[who] if not world.scopes[who].startswith("share:") else world.pod_id
        target = "private/secret.txt" if route in ("files", "layout") else "private"
        return client.get(f"/pods/{scope}/{route}/{target}")

    return run


def op_pod(method: str, suffix: str = "", json: Any = None) -> Op:
    def run(world: World, who: str, client: httpx.Client) -> httpx.Response:
        if who.startswith("link"):
            return client.request(method, "/pod-settings")
        scope = world.scopes[who]
        return client.request(method, f"/pods/{scope}{suffix}", json=json)

    return run


def op_share(world: World, who: str, client: httpx.Client) -> httpx.Response:
    body = {
        "path": in_share(world, who, "doc.txt") if not who.startswith("link") else "",
        "user": world.bystander,
    }
    return op_pod("POST", "/shares", body)(world, who, client)


def op_link(world: World, who: str, client: httpx.Client) -> httpx.Response:
    body = {"path": in_share(world, who, "doc.txt") if not who.startswith("link") else ""}
    return op_pod("POST", "/links", body)(world, who, client)


def op_node(suffix: str, node: str = "shared/doc.txt", method: str = "GET") -> Op:
    def run(world: World, who: str, client: httpx.Client) -> httpx.Response:
        content = b"via node id" if method == "PUT" else None
        url = f"/nodes/{world.ids[node]}{suffix}"
        if who.startswith("link"):
            url = f"{world.server.api_url}{url}"
        return client.request(method, url, content=content)

    return run


OPERATIONS: dict[str, Op] = {
    "list_shared": pod_op("GET", "list"),
    "download_shared": pod_op("GET", "files", path="doc.txt"),
    "download_private": op_private("files"),
    "list_private": op_private("list"),
    "upload_new": op_upload_new,
    "overwrite": pod_op("PUT", "files", path="doc.txt"),
    "mkdir": op_mkdir,
    "delete": op_delete,
    "trash_list": op_pod("GET", "/trash"),
    "versions": pod_op("GET", "versions", path="doc.txt"),
    "share": op_share,
    "create_link": op_link,
    "pod_stat": op_pod("GET"),
    "pod_policy": op_pod("PATCH", "", {"versions_kept": 10}),
    "node_stat": op_node(""),
    "node_content": op_node("/content"),
    "node_children": op_node("/children", node="shared"),
    "node_upload": op_node("/content", method="PUT"),
    "node_private": op_node("/content", node="private/secret.txt"),
    "layout_shared": pod_op("GET", "layout", path="doc.txt"),
    "layout_private": op_private("layout"),
    "chunks_missing": pod_op("POST", "chunks/missing"),
}
CASES = [
    (op, who, allowed)
    for op, row in MATRIX.items()
    for who, allowed in zip(PRINCIPALS, row, strict=True)
]


def test_the_matrix_covers_every_operation() -> None:
    assert set(MATRIX) == set(OPERATIONS)


@pytest.mark.parametrize(("op", "who", "allowed"), CASES, ids=[f"{o}-{w}" for o, w, _ in CASES])
def test_matrix(world: World, op: str, who: str, allowed: bool) -> None:
    response = OPERATIONS[op](world, who, world.clients[who])
    if allowed:
        assert 200 <= response.status_code < 300, (op, who, response.status_code, response.text)
    else:
        assert response.status_code in (400, 401, 403, 404, 405), (op, who, response.status_code)
        assert response.status_code != 500
    # whatever happened, the private file is untouched and the shared one still reads
    assert world.owner.get("/pods/proj/files/private/secret.txt").content == b"private words"


def test_no_download_grant_lists_but_does_not_serve(server: Server) -> None:
    owner = server.new_user("nd-owner", pod="p")
    owner.put("/pods/p/files/f/report.pdf", content=b"%PDF-1.7 report")
    viewer = server.new_user("nd-viewer")
    grant = owner.post(
        "/pods/p/shares",
        json={"path": "f", "user": viewer.name, "level": "read", "no_download": True},
    ).json()
    scope = grant["pod"]
    assert [e["name"] for e in viewer.get(f"/pods/{scope}/list").json()["entries"]] == [
        "report.pdf"
    ]
    assert viewer.get(f"/pods/{scope}/files/report.pdf").status_code == 403
    node = viewer.get(f"/pods/{scope}/stat/report.pdf").json()["id"]
    assert viewer.get(f"/nodes/{node}/content").status_code == 403


def test_expiry_and_revocation_take_effect_at_once(server: Server) -> None:
    owner = server.new_user("ex-owner", pod="p")
    owner.put("/pods/p/files/d/a.txt", content=b"a")
    guest = server.new_user("ex-guest")
    soon = time.time() + 1.5
    expiring = owner.post(
        "/pods/p/shares",
        json={
            "path": "d",
            "user": guest.name,
            "level": "read",
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(soon))
            + f".{int(soon % 1 * 1e6):06d}Z",
        },
    )
    assert expiring.status_code == 201, expiring.text
    scope = expiring.json()["pod"]
    assert guest.get(f"/pods/{scope}/files/a.txt").content == b"a"
    time.sleep(max(0.0, soon - time.time()) + 0.3)
    assert guest.get(f"/pods/{scope}/files/a.txt").status_code == 404
    assert guest.get("/shares/incoming").json()["shares"] == []

    lasting = owner.post("/pods/p/shares", json={"path": "d", "user": guest.name, "level": "write"})
    scope = lasting.json()["pod"]
    assert guest.put(f"/pods/{scope}/files/b.txt", content=b"b").status_code == 201
    assert owner.delete(f"/shares/{lasting.json()['id']}").status_code == 204
    assert guest.get(f"/pods/{scope}/files/a.txt").status_code == 404
    assert guest.put(f"/pods/{scope}/files/c.txt", content=b"c").status_code == 404
    assert owner.get("/pods/p/files/d/c.txt").status_code == 404


def test_a_moved_and_renamed_share_keeps_working(server: Server) -> None:
    owner = server.new_user("mv-owner", pod="p")
    owner.put("/pods/p/files/old/name.txt", content=b"still here")
    guest = server.new_user("mv-guest")
    scope = owner.post("/pods/p/shares", json={"path": "old", "user": guest.name}).json()["pod"]
    token = (
        owner.post("/pods/p/links", json={"path": "old/name.txt"}).json()["url"].rsplit("/", 1)[1]
    )
    owner.post("/pods/p/mkdir/archive")
    assert (
        owner.post("/pods/p/move", json={"from": "old", "to": "archive/renamed"}).status_code == 200
    )
    assert guest.get(f"/pods/{scope}/files/name.txt").content == b"still here"
    assert httpx.get(f"{server.api_url}/public/{token}").content == b"still here"
    # the grantee sees the item, not the owner's folders around it
    assert guest.get(f"/pods/{scope}/stat/name.txt").json()["path"] == "/name.txt"
    incoming = guest.get("/shares/incoming").json()["shares"]
    assert [(s["name"], s["owner"]) for s in incoming] == [("renamed", owner.name)]


def test_trashing_a_shared_item_hides_it_from_grantees(server: Server) -> None:
    owner = server.new_user("tr-owner", pod="p")
    owner.put("/pods/p/files/box/a.txt", content=b"a")
    guest = server.new_user("tr-guest")
    scope = owner.post("/pods/p/shares", json={"path": "box", "user": guest.name}).json()["pod"]
    owner.delete("/pods/p/files/box")
    assert guest.get(f"/pods/{scope}/list").status_code == 404
    box = owner.get("/pods/p/trash").json()["entries"][0]["id"]
    owner.post(f"/pods/p/trash/{box}/restore")
    assert guest.get(f"/pods/{scope}/files/a.txt").content == b"a"
