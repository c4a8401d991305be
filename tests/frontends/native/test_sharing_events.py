"""File events reach exactly the people who can see the file."""

from __future__ import annotations

from typing import Any

from tests.fixtures.server import Server, User


def events(user: User, after: int = 0) -> list[dict[str, Any]]:
    response = user.get("/events/poll", params={"after": after, "timeout": 0})
    assert response.status_code == 200, response.text
    return list(response.json()["events"])


def kinds_for(user: User, node_ids: set[str], after: int = 0) -> list[str]:
    return [e["kind"] for e in events(user, after) if e["data"].get("node_id") in node_ids]


def test_events_follow_visibility(server: Server) -> None:
    owner, guest, stranger = (server.new_user(n) for n in ("ev-owner", "ev-guest", "ev-stranger"))
    owner.post("/pods", json={"name": "p"})
    owner.post("/pods/p/mkdir/shared")
    owner.post("/pods/p/mkdir/private")
    grant = owner.post(
        "/pods/p/shares", json={"path": "shared", "user": guest.name, "level": "read"}
    )
    assert grant.status_code == 201
    assert [e["kind"] for e in events(guest)] == ["share.received"]

    inside = owner.put("/pods/p/files/shared/a.txt", content=b"a").json()["id"]
    owner.put("/pods/p/files/shared/a.txt", content=b"a2")
    outside = owner.put("/pods/p/files/private/b.txt", content=b"b").json()["id"]
    ids = {inside, outside}

    assert kinds_for(owner, ids) == ["file.created", "file.changed", "file.created"]
    assert kinds_for(guest, ids) == ["file.created", "file.changed"]
    assert all(e["data"].get("node_id") != outside for e in events(guest))
    assert events(stranger) == []

    # moving a file out of the share tells the guest it left, and nothing after that
    owner.post("/pods/p/move", json={"from": "shared/a.txt", "to": "private/a.txt"})
    owner.put("/pods/p/files/private/a.txt", content=b"a3")
    assert kinds_for(guest, ids) == ["file.created", "file.changed", "node.moved"]
    assert kinds_for(owner, ids)[-2:] == ["node.moved", "file.changed"]

    # sequences are per user, increasing, and resumable from any point
    seqs = [e["seq"] for e in events(owner)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert [e["seq"] for e in events(owner, after=seqs[2])] == seqs[3:]
