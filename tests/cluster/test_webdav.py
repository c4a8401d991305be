"""WebDAV across nodes: a lock taken on one node holds on every other (locks live in the
database), and a revoked app password is refused on another node at once (NOTIFY), though
every node caches a checked actor for a minute here."""

from __future__ import annotations

import time

import httpx

from podstore.cluster.up import Cluster
from tests.cluster.conftest import SESSION_CACHE_SECONDS, api, new_user
from tests.fixtures.server import PASSWORD

LOCK = (
    '<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write/></locktype>'
    "</lockinfo>"
)


def test_a_lock_on_one_node_holds_on_another(cluster: Cluster) -> None:
    one, two = cluster.nodes[0].url, cluster.nodes[1].url
    name, _ = new_user(one)
    with httpx.Client(auth=(name, PASSWORD), timeout=30) as dav:
        locked = dav.request("LOCK", f"{one}/dav/home/report.txt", content=LOCK)
        assert locked.status_code == 201, locked.text
        token = locked.headers["Lock-Token"]
        assert dav.put(f"{two}/dav/home/report.txt", content=b"x").status_code == 423
        held = dav.put(f"{two}/dav/home/report.txt", content=b"mine", headers={"If": f"({token})"})
        assert held.status_code == 204
        found = dav.request(
            "PROPFIND",
            f"{cluster.nodes[2].url}/dav/home/report.txt",
            headers={"Depth": "0"},
            content='<propfind xmlns="DAV:"><prop><lockdiscovery/></prop></propfind>',
        )
        assert token[1:-1] in found.text
        unlocked = dav.request(
            "UNLOCK", f"{two}/dav/home/report.txt", headers={"Lock-Token": token}
        )
        assert unlocked.status_code == 204
        assert dav.put(f"{one}/dav/home/report.txt", content=b"free").status_code == 204
        assert dav.get(f"{cluster.nodes[2].url}/dav/home/report.txt").content == b"free"


def test_a_revoked_app_password_is_refused_on_another_node_at_once(cluster: Cluster) -> None:
    one, two = cluster.nodes[0].url, cluster.nodes[1].url
    name, token = new_user(one)
    with api(one, token) as me:
        made = me.post("/me/app-passwords", json={"label": "desktop"}).json()
        auth = (name, made["password"])
        assert httpx.get(f"{two}/dav/home/", auth=auth).status_code == 200  # node 2 caches it
        assert me.delete(f"/me/app-passwords/{made['id']}").status_code == 204
    revoked = time.monotonic()
    while httpx.get(f"{two}/dav/home/", auth=auth).status_code == 200:
        assert time.monotonic() - revoked < SESSION_CACHE_SECONDS / 4, "never refused"
