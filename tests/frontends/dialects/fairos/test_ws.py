"""FairOS's WebSocket: REST events as `{_id, event, params}` messages, with a login made
over the socket, answered `{_id, event, params, code}`."""

from __future__ import annotations

import json
import uuid

import websocket

from tests.fixtures.server import PASSWORD
from tests.frontends.dialects.fairos.conftest import FairosServer


def test_events_over_the_websocket(fairos: FairosServer) -> None:
    socket = websocket.create_connection(fairos.url.replace("http", "ws") + "/ws/v1/", timeout=30)
    try:

        def ask(event: str, params: dict[str, str] | None = None) -> dict[str, object]:
            socket.send(json.dumps({"_id": 7, "event": event, "params": params or {}}))
            answer: dict[str, object] = json.loads(socket.recv())
            assert answer["_id"] == 7 and answer["event"] == event
            return answer

        name = f"ws{uuid.uuid4().hex[:8]}"
        assert ask("/pod/ls")["code"] == 401
        signed = ask("/v2/user/signup", {"userName": name, "password": PASSWORD})
        assert signed["code"] == 201
        assert ask("/user/logout")["code"] == 200
        login = ask("/v2/user/login", {"userName": name, "password": PASSWORD})
        assert login["code"] == 200
        assert ask("/pod/new", {"podName": "w"}) == {
            "_id": 7,
            "event": "/pod/new",
            "params": {"message": "pod created successfully"},
            "code": 201,
        }
        listed = ask("/pod/ls")
        assert listed["code"] == 200 and listed["params"]["pod_name"] == ["w"]  # type: ignore[index]
        assert ask("/dir/mkdir", {"podName": "w", "dirPath": "/x"})["code"] == 201
        found = ask("/dir/ls", {"podName": "w", "dirPath": "/"})["params"]
        assert [d["name"] for d in found["dirs"]] == ["x"]  # type: ignore[index]
        assert ask("/no/such/event")["code"] == 404
        assert ask("/user/logout")["code"] == 200
        assert ask("/pod/ls")["code"] == 401
    finally:
        socket.close()
