"""FairOS's WebSocket: REST events as `{_id, event, params}` messages, with a login made
over the socket, answered `{_id, event, params, code}`."""

from __future__ import annotations

import json
import uuid

import httpx
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


def test_file_streams_over_the_websocket(fairos: FairosServer) -> None:
    socket = websocket.create_connection(fairos.url.replace("http", "ws") + "/ws/v1/", timeout=30)
    try:

        def ask(event: str, params: dict[str, str]) -> dict[str, object]:
            socket.send(json.dumps({"_id": "9", "event": event, "params": params}))
            answer: dict[str, object] = json.loads(socket.recv())
            assert answer["_id"] == "9" and answer["event"] == event
            return answer

        name = f"ws{uuid.uuid4().hex[:8]}"
        ask("/v2/user/signup", {"userName": name, "password": PASSWORD})
        ask("/pod/new", {"podName": "w"})
        target = {"podName": "w", "dirPath": "/", "blockSize": "1Mb"}
        small = b"one message\x00\xff"
        socket.send(
            json.dumps(
                {"_id": "9", "event": "/file/upload", "params": {**target, "fileName": "a.bin"}}
            )
        )
        socket.send_binary(small)
        assert json.loads(socket.recv()) == {
            "_id": "9",
            "event": "/file/upload",
            "params": {"fileName": "a.bin", "message": "uploaded successfully"},
            "code": 200,
        }
        big = bytes(range(256)) * 10_000  # 2.56 MB, in three binary messages
        params = {**target, "fileName": "b.bin", "contentLength": str(len(big))}
        socket.send(json.dumps({"_id": "9", "event": "/file/upload/stream", "params": params}))
        for start in range(0, len(big), 1_000_000):
            socket.send_binary(big[start : start + 1_000_000])
        assert json.loads(socket.recv())["code"] == 200

        got = ask("/file/download", {"podName": "w", "filePath": "/a.bin"})
        assert got["params"] == {"content_length": str(len(small)), "file_name": "a.bin"}
        assert socket.recv() == small

        first = ask("/file/download/stream", {"podName": "w", "filePath": "/b.bin"})
        assert first["params"] == {"content_length": str(len(big)), "file_name": "b.bin"}
        pieces = b""
        while len(pieces) < len(big):
            piece = socket.recv()
            assert isinstance(piece, bytes) and len(piece) <= 1_000_000
            pieces += piece
        assert pieces == big
        assert json.loads(socket.recv())["params"] == {"message": "download finished"}

        missing = ask("/file/download", {"podName": "w", "filePath": "/none"})
        assert missing["code"] == 404
        no_length = ask("/file/upload/stream", {**target, "fileName": "c.bin"})
        assert no_length["code"] == 400
        socket.send(
            json.dumps({"_id": "9", "event": "/file/upload", "params": {**target, "fileName": "d"}})
        )
        socket.send("not binary")
        refused = json.loads(socket.recv())
        assert refused["code"] == 400 and "binary message" in refused["params"]["message"]
        assert ask("/pod/ls", {})["code"] == 200  # the socket still serves
        ask("/user/logout", {})
        socket.send(
            json.dumps({"_id": "9", "event": "/file/upload", "params": {**target, "fileName": "e"}})
        )
        socket.send_binary(b"x")
        assert json.loads(socket.recv())["code"] == 401
        assert ask("/pod/ls", {})["code"] == 401  # the refused upload's content was read
    finally:
        socket.close()
    with httpx.Client(base_url=fairos.url) as web:
        web.post("/v2/user/login", json={"userName": name, "password": PASSWORD})
        web.post("/v1/pod/open", json={"podName": "w"})
        native = web.get("/v1/file/download", params={"podName": "w", "filePath": "/b.bin"})
        assert native.content == big
