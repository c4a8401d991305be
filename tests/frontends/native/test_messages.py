"""Messages, contacts and the audit log through the native API and the CLI, on both databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.fixtures.server import Server, User


def send(sender: User, text: str, to: str | None = None, group: str | None = None) -> Any:
    body: dict[str, Any] = {"text": text}
    if to is not None:
        body["to"] = to
    if group is not None:
        body["group"] = group
    return sender.post("/messages", json=body)


def texts(page: dict[str, Any]) -> list[str]:
    return [m["text"] for m in page["messages"]]


# -- messages --------------------------------------------------------------------------------


def test_direct_messages_and_history_paging(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    first = send(alice, "hi bob", to=bob.name)
    assert first.status_code == 201, first.text
    sent = first.json()
    assert (sent["from"], sent["to"], sent["text"]) == (alice.name, bob.name, "hi bob")
    assert sent["sent_at"].endswith("Z") and "group" not in sent
    for i in range(1, 12):
        author, other = (bob, alice) if i % 2 else (alice, bob)
        assert send(author, f"m{i}", to=other.name).status_code == 201

    page = bob.get("/messages", params={"with": alice.name, "limit": 5}).json()
    assert texts(page) == ["m11", "m10", "m9", "m8", "m7"]  # newest first
    assert (page["offset"], page["limit"], page["total"]) == (0, 5, 12)
    page = bob.get("/messages", params={"with": alice.name, "offset": 10, "limit": 5}).json()
    assert texts(page) == ["m1", "hi bob"]
    same = alice.get("/messages", params={"with": bob.name, "limit": 100}).json()
    assert len(same["messages"]) == 12 and same["messages"][0]["from"] == bob.name

    convs = alice.get("/messages/conversations").json()["conversations"]
    assert [(c["with"], c["last"]["text"]) for c in convs] == [(bob.name, "m11")]
    received = bob.get("/events/poll", params={"after": 0, "timeout": 0}).json()["events"]
    assert received[0]["data"] == sent  # the event carries the message as the sender saw it


def test_messages_are_private_to_their_two_users(server: Server) -> None:
    alice, bob, eve = server.new_user(), server.new_user(), server.new_user()
    assert send(alice, "for bob only", to=bob.name).status_code == 201
    assert eve.get("/messages", params={"with": alice.name}).json()["messages"] == []
    assert eve.get("/messages", params={"with": bob.name}).json()["messages"] == []
    assert eve.get("/messages/conversations").json()["conversations"] == []
    events = eve.get("/events/poll", params={"after": 0, "timeout": 0}).json()["events"]
    assert events == []
    assert server.client().get("/messages", params={"with": bob.name}).status_code == 401


def test_bad_messages_are_refused(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    assert send(alice, "x", to="no-such-user-here").status_code == 404
    assert send(alice, "x", to=alice.name).status_code == 400
    assert send(alice, "   ", to=bob.name).status_code == 400
    assert send(alice, "x").status_code == 400  # neither a user nor a group
    assert send(alice, "x", to=bob.name, group="g").status_code == 400
    assert send(alice, "x" * (64 * 1024 + 1), to=bob.name).status_code == 422
    assert alice.get("/messages").status_code == 400
    assert alice.get("/messages", params={"with": bob.name, "limit": 0}).status_code == 422
    assert bob.get("/messages", params={"with": alice.name}).json()["total"] == 0


def test_group_messages_reach_members_only(server: Server) -> None:
    alice, bob, eve = server.new_user(), server.new_user(), server.new_user()
    group = f"g{alice.name[-10:]}"
    created = alice.post("/groups", json={"name": group})
    assert created.status_code == 201, created.text
    assert alice.post(f"/groups/{group}/members", json={"user": bob.name}).status_code == 201

    sent = send(alice, "hello group", group=group)
    assert sent.status_code == 201, sent.text
    assert sent.json()["group"] == {"id": created.json()["id"], "name": group}
    assert send(bob, "hi all", group=created.json()["id"]).status_code == 201
    page = bob.get("/messages", params={"group": group}).json()
    assert texts(page) == ["hi all", "hello group"]
    events = bob.get("/events/poll", params={"after": 0, "timeout": 0}).json()["events"]
    assert [e["data"]["text"] for e in events if e["kind"] == "message.received"] == [
        "hello group"
    ]  # not the one bob sent himself

    assert send(eve, "let me in", group=group).status_code == 404
    assert eve.get("/messages", params={"group": group}).status_code == 404
    assert eve.get("/events/poll", params={"after": 0, "timeout": 0}).json()["events"] == []


# -- contacts --------------------------------------------------------------------------------


def test_contacts_with_aliases(server: Server) -> None:
    alice, bob, carol = server.new_user(), server.new_user(), server.new_user()
    added = alice.post("/contacts", json={"name": bob.name, "alias": "Bobby"})
    assert added.status_code == 201, added.text
    assert added.json()["alias"] == "Bobby"
    assert alice.post("/contacts", json={"name": carol.name}).status_code == 201
    assert alice.post("/contacts", json={"name": bob.name}).status_code == 409
    assert alice.post("/contacts", json={"name": carol.name[:-1]}).status_code == 404
    assert alice.post("/contacts", json={"name": alice.name}).status_code == 400
    taken = alice.patch(f"/contacts/{carol.name}", json={"alias": "Bobby"})
    assert taken.status_code == 409

    listed = alice.get("/contacts").json()["contacts"]
    assert sorted((c["name"], c["alias"]) for c in listed) == sorted(
        [(bob.name, "Bobby"), (carol.name, None)]
    )
    assert bob.get("/contacts").json()["contacts"] == []  # a list of one's own

    # an alias names the contact, in the contacts routes and when sending messages
    assert send(alice, "via alias", to="Bobby").json()["to"] == bob.name
    renamed = alice.patch("/contacts/Bobby", json={"alias": "Robert"})
    assert renamed.status_code == 200 and renamed.json()["alias"] == "Robert"
    assert alice.patch("/contacts/Bobby", json={"alias": "x"}).status_code == 404
    assert alice.get("/messages", params={"with": "Robert"}).json()["total"] == 1
    assert alice.delete("/contacts/Robert").status_code == 204
    assert alice.delete(f"/contacts/{bob.name}").status_code == 404
    assert [c["name"] for c in alice.get("/contacts").json()["contacts"]] == [carol.name]

    stream = alice.get("/events/poll", params={"after": 0, "timeout": 0}).json()["events"]
    kinds = [e["kind"] for e in stream]
    assert kinds == ["contact.added", "contact.added", "contact.changed", "contact.removed"]
    assert stream[0]["data"] == added.json()
    assert stream[2]["data"] == renamed.json()


# -- audit -----------------------------------------------------------------------------------


def test_audit_log_shows_logins_and_failures_to_its_owner_only(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    anon = server.client()
    assert (
        anon.post("/login", json={"name": alice.name, "password": "wrong password!"}).status_code
        == 401
    )
    assert (
        anon.post("/login", json={"name": alice.name, "password": alice.password}).status_code
        == 200
    )
    page = alice.get("/audit").json()
    actions = [e["action"] for e in page["entries"]]
    assert actions == ["login", "login.failed", "login"]  # newest first
    assert page["entries"][1]["address"] == "127.0.0.1"
    assert page["total"] == 3
    assert [
        e["action"] for e in alice.get("/audit", params={"offset": 1, "limit": 1}).json()["entries"]
    ] == ["login.failed"]
    # bob sees only his own log, whatever he asks for
    assert [e["action"] for e in bob.get("/audit").json()["entries"]] == ["login"]
    assert server.client().get("/audit").status_code == 401
    assert alice.get("/audit", params={"limit": 1001}).status_code == 422


# -- CLI -------------------------------------------------------------------------------------


def cli(server: Server, user: User, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PODSTORE_URL": server.url,
        "PODSTORE_TOKEN": user.token,
        "COLUMNS": "200",
        "XDG_CONFIG_HOME": str(server.data_dir.parent / "cli-config"),
    }
    return subprocess.run(
        [sys.executable, "-m", "podstore", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_messages_contacts_events_and_audit(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    assert cli(server, alice, "contacts", "add", bob.name, "--alias", "bobby").returncode == 0
    assert bob.name in cli(server, alice, "contacts").stdout
    sent = cli(server, alice, "msg", "send", "bobby", "hello from the shell")
    assert sent.returncode == 0, sent.stderr
    history = cli(server, bob, "msg", "history", alice.name)
    assert "hello from the shell" in history.stdout
    lines = cli(server, bob, "events").stdout.splitlines()
    assert [json.loads(line)["data"]["text"] for line in lines] == ["hello from the shell"]
    assert cli(server, bob, "events", "--after", "1").stdout == ""
    assert "login" in cli(server, bob, "audit").stdout
    assert cli(server, alice, "contacts", "rm", "bobby").returncode == 0
    missing = cli(server, alice, "msg", "send", "nobody-at-all", "x")
    assert missing.returncode == 1 and "404" in missing.stderr
