"""The event stream over long-poll and WebSocket, on both databases and across two nodes."""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.fixtures.server import Server, User, server_env
from tests.fixtures.websocket import Closed, Socket


def send(sender: User, to: User, text: str) -> dict[str, Any]:
    response = sender.post("/messages", json={"to": to.name, "text": text})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def poll(user: httpx.Client, after: int | None, timeout: float = 0) -> dict[str, Any]:
    params: dict[str, Any] = {"timeout": timeout}
    if after is not None:
        params["after"] = after
    response = user.get("/events/poll", params=params, timeout=timeout + 30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def received(user: httpx.Client, after: int = 0) -> list[dict[str, Any]]:
    return [e for e in poll(user, after)["events"] if e["kind"] == "message.received"]


# -- long-poll -------------------------------------------------------------------------------


def test_events_arrive_in_order_with_consecutive_sequences(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    for i in range(5):
        send(bob, alice, f"hello {i}")
    body = poll(alice, 0)
    events = body["events"]
    assert [e["seq"] for e in events] == list(range(1, 6))
    assert [e["data"]["text"] for e in events] == [f"hello {i}" for i in range(5)]
    assert {e["kind"] for e in events} == {"message.received"}
    assert events[0]["data"]["from"] == bob.name and events[0]["at"].endswith("Z")
    assert body["last_seq"] == 5
    assert poll(alice, 3)["events"] == events[3:]
    assert poll(bob, 0)["events"] == []  # the sender's stream holds nothing about it


def test_long_poll_waits_for_the_next_event(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    threading.Timer(0.5, lambda: send(bob, alice, "wake up")).start()
    started = time.monotonic()
    body = poll(alice, 0, timeout=20)
    assert time.monotonic() - started < 10
    assert [e["data"]["text"] for e in body["events"]] == ["wake up"]


def test_long_poll_times_out_empty_and_without_after_starts_now(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    send(bob, alice, "old")
    started = time.monotonic()
    assert poll(alice, 1, timeout=1) == {"events": [], "last_seq": 1}
    assert time.monotonic() - started >= 0.9
    assert poll(alice, None) == {"events": [], "last_seq": 1}  # no replay without `after`
    assert alice.get("/events/poll", params={"timeout": 61}).status_code == 422
    assert alice.get("/events/poll", params={"after": -1}).status_code == 422
    assert server.client().get("/events/poll").status_code == 401


def test_a_user_sees_nothing_about_another_users_pod(server: Server) -> None:
    alice, bob = server.new_user(pod="home"), server.new_user(pod="home")
    assert alice.put("/pods/home/files/secret.txt", content=b"mine").status_code in (200, 201)
    assert alice.post("/pods/home/mkdir/private").status_code == 201
    assert poll(bob, 0, timeout=1)["events"] == []
    kinds = [e["kind"] for e in poll(alice, 0, timeout=2)["events"]]
    if "file.created" not in kinds:  # files.py emits once the sharing work wires it in
        pytest.xfail("the tree does not emit file events yet")
    assert "file.created" in kinds and "folder.created" in kinds


def test_a_grantee_hears_of_the_shared_folder_only_and_not_after_revocation(
    server: Server,
) -> None:
    alice, bob = server.new_user(pod="home"), server.new_user()
    assert alice.post("/pods/home/mkdir/shared").status_code == 201
    assert alice.post("/pods/home/mkdir/private").status_code == 201
    share = alice.post("/pods/home/shares", json={"path": "shared", "user": bob.name})
    assert share.status_code == 201, share.text
    assert alice.put("/pods/home/files/shared/a.txt", content=b"for bob").status_code in (200, 201)
    assert alice.put("/pods/home/files/private/b.txt", content=b"not").status_code in (200, 201)
    events = poll(bob, 0, timeout=2)["events"]
    assert [e["kind"] for e in events] == ["share.received", "file.created"]
    assert events[1]["data"]["name"] == "a.txt"
    assert "b.txt" not in json.dumps(events)

    assert alice.delete(f"/shares/{share.json()['id']}").status_code == 204
    assert alice.put("/pods/home/files/shared/c.txt", content=b"later").status_code in (200, 201)
    later = poll(bob, events[-1]["seq"], timeout=1)["events"]
    assert [e["kind"] for e in later] == ["share.revoked"]


# -- WebSocket -------------------------------------------------------------------------------


def test_websocket_replays_then_streams_and_resumes_after_a_reconnect(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    send(bob, alice, "m0")
    send(bob, alice, "m1")
    ws = Socket(server, f"/api/v1/events?after=0&token={quote(alice.token)}")
    seen = [ws.recv(), ws.recv()]
    assert [e["seq"] for e in seen] == [1, 2]
    send(bob, alice, "m2")
    seen.append(ws.recv())  # live
    assert seen[-1]["seq"] == 3 and seen[-1]["data"]["text"] == "m2"
    ws.close()

    for i in range(3, 6):  # while nobody listens
        send(bob, alice, f"m{i}")
    ws = Socket(
        server,
        f"/api/v1/events?after={seen[-1]['seq']}",
        {"Authorization": f"Bearer {alice.token}"},
    )
    seen += [ws.recv() for _ in range(3)]
    send(bob, alice, "m6")
    seen.append(ws.recv())
    with pytest.raises(TimeoutError):
        ws.recv(timeout=1)  # nothing twice
    ws.close()
    assert [e["seq"] for e in seen] == list(range(1, 8))
    assert [e["data"]["text"] for e in seen] == [f"m{i}" for i in range(7)]


def test_websocket_without_after_streams_only_new_events(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    send(bob, alice, "before")
    ws = Socket(server, "/api/v1/events", {"Cookie": f"podstore_token={alice.token}"})
    time.sleep(0.3)
    send(bob, alice, "after")
    event = ws.recv()
    assert (event["seq"], event["data"]["text"]) == (2, "after")
    ws.close()


def test_websocket_refuses_a_bad_token(server: Server) -> None:
    for path in ("/api/v1/events", "/api/v1/events?token=nope.nope"):
        ws = Socket(server, path)
        with pytest.raises(Closed) as closed:
            ws.recv()
        assert closed.value.code == 4401
        ws.close()
    alice = server.new_user()
    ws = Socket(server, f"/api/v1/events?after=x&token={quote(alice.token)}")
    with pytest.raises(Closed) as closed:
        ws.recv()
    assert closed.value.code == 4400
    ws.close()


def test_a_cookie_websocket_from_another_sites_page_is_refused(server: Server) -> None:
    """Cross-site WebSocket hijacking: a browser sends the cookie along with any page's
    handshake, so only our own pages may use it; a token in the header or query is safe."""
    alice, bob = server.new_user(), server.new_user()
    cookie = {"Cookie": f"podstore_token={alice.token}"}
    own = f"http://127.0.0.1:{server.port}"
    for hostile in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": own, "Sec-Fetch-Site": "cross-site"},
    ):
        ws = Socket(server, "/api/v1/events?after=0", {**cookie, **hostile})
        with pytest.raises(Closed) as closed:
            ws.recv()
        assert closed.value.code == 4403
        ws.close()
    send(bob, alice, "hi")
    allowed = (
        {**cookie, "Origin": own, "Sec-Fetch-Site": "same-origin"},
        {**cookie},  # not a browser: no Origin at all
        {"Authorization": f"Bearer {alice.token}", "Origin": "https://evil.example"},
    )
    for headers in allowed:
        ws = Socket(server, "/api/v1/events?after=0", headers)
        assert ws.recv()["data"]["text"] == "hi"
        ws.close()
    ws = Socket(
        server,
        f"/api/v1/events?after=0&token={quote(alice.token)}",
        {"Origin": "https://evil.example"},
    )
    assert ws.recv()["data"]["text"] == "hi"
    ws.close()


def test_websocket_ignores_what_the_client_sends(server: Server) -> None:
    alice, bob = server.new_user(), server.new_user()
    ws = Socket(server, f"/api/v1/events?after=0&token={quote(alice.token)}")
    send(bob, alice, "one")
    assert ws.recv()["seq"] == 1
    ws.send_text('{"hello": "server"}')  # client chatter is ignored
    send(bob, alice, "two")
    assert ws.recv()["seq"] == 2
    ws.close()


# -- two nodes on one PostgreSQL database ----------------------------------------------------


def test_an_event_made_on_one_node_reaches_a_listener_on_another(
    server: Server, database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if database_url is None:
        pytest.skip("several nodes need PostgreSQL")
    root = tmp_path_factory.mktemp("node2")
    node2 = Server(root / "data", server_env(root / "data", database_url))
    node2.start()
    try:
        alice, bob = server.new_user(), server.new_user()
        alice2 = node2.client(alice.token)
        poll(alice2, 0, timeout=0.5)  # the node is now listening
        ws = Socket(node2, f"/api/v1/events?after=0&token={quote(alice.token)}")
        result: dict[str, Any] = {}

        def hold() -> None:
            started = time.monotonic()
            result["body"] = poll(alice2, 0, timeout=30)
            result["took"] = time.monotonic() - started

        holder = threading.Thread(target=hold)
        holder.start()
        time.sleep(0.5)
        sent_at = time.monotonic()
        send(bob, alice, "across nodes")  # through node 1
        event = ws.recv(timeout=20)
        ws_took = time.monotonic() - sent_at
        holder.join(40)
        ws.close()
        assert event["data"]["text"] == "across nodes"
        assert [e["data"]["text"] for e in result["body"]["events"]] == ["across nodes"]
        # NOTIFY, not the readers' periodic re-query (every 10 s on PostgreSQL)
        assert ws_took < 5 and result["took"] < 6
        alice2.close()
    finally:
        node2.stop()
