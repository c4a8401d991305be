"""Revocations reach every node at once, through NOTIFY (issue 21, test 3).

Every node caches a checked session for a minute here, so a refusal on another node well
within that minute can only come from the revocation NOTIFY.
"""

from __future__ import annotations

import statistics
import time

from podstore.cluster.up import Cluster
from tests.cluster.conftest import SESSION_CACHE_SECONDS, api, new_user
from tests.fixtures.server import PASSWORD

TRIALS = 5


def _refused_after(cluster: Cluster, end: str) -> float:
    """Seconds from the end of the session on node 1 until node 2 refuses the token."""
    first, other = cluster.nodes[0], cluster.nodes[1]
    name, token = new_user(first.url, pod=None)
    with api(first.url, token) as here, api(other.url, token) as there:
        assert there.get("/me").status_code == 200  # node 2 now holds the session
        if end == "logout":
            assert here.post("/logout").status_code in (200, 204)
        else:
            new = {"old_password": PASSWORD, "new_password": PASSWORD + "!"}
            with api(first.url) as anon:
                login = anon.post("/login", json={"name": name, "password": PASSWORD}).json()
            with api(first.url, login["token"]) as second:
                changed = second.post("/me/password", json=new)
                assert changed.status_code in (200, 204), changed.text
        ended = time.monotonic()
        while there.get("/me").status_code == 200:
            assert time.monotonic() - ended < SESSION_CACHE_SECONDS / 4, "never refused"
        return time.monotonic() - ended


def test_a_logout_on_one_node_is_refused_on_another_at_once(cluster: Cluster) -> None:
    took = [_refused_after(cluster, "logout") for _ in range(TRIALS)]
    print("logout refused on another node after (ms):", [round(t * 1000, 1) for t in took])
    assert statistics.median(took) <= 0.1, took


def test_a_password_change_ends_other_sessions_on_every_node(cluster: Cluster) -> None:
    assert _refused_after(cluster, "password") <= SESSION_CACHE_SECONDS / 4


def test_a_revoked_link_is_refused_on_another_node_at_once(cluster: Cluster) -> None:
    _, token = new_user(cluster.nodes[0].url)
    with api(cluster.nodes[0].url, token) as owner:
        assert owner.put("/pods/home/files/a.txt", content=b"shared").status_code == 201
        link = owner.post("/pods/home/links", json={"path": "a.txt"})
        assert link.status_code == 201, link.text
        found = link.json()
        public = "/public/" + found["url"].rsplit("/", 1)[1]
        with api(cluster.nodes[1].url) as anon:
            assert anon.get(public).content == b"shared"
            assert owner.delete(f"/links/{found['id']}").status_code == 204
            assert anon.get(public).status_code == 404
