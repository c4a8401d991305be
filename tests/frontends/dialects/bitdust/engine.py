"""A podstore server with its BitDust listeners on, and clients for them: REST with the
`api_secret` header, and the WebSocket `api_call` protocol (websocket-client)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websocket

from tests.fixtures.ports import free_port
from tests.fixtures.server import Server, server_env


class Socket:
    """One WebSocket connection: `call` waits for its answer; pushed frames are kept."""

    def __init__(self, url: str) -> None:
        # websocket-client checks UTF-8 in pure Python (0.1 s per 100 KB): the JSON parse checks
        self.ws = websocket.create_connection(url, timeout=20, skip_utf8_validation=True)
        self.pushed: list[dict[str, Any]] = []

    def send(self, frame: Any) -> None:
        self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def answer(self, call_id: Any) -> dict[str, Any]:
        while True:
            frame = json.loads(self.ws.recv())
            answered = frame.get("type") == "api_call" and frame["payload"].get("call_id")
            if answered == call_id or (answered is None and frame.get("type") == "api_call"):
                payload: dict[str, Any] = frame["payload"]
                return payload
            self.pushed.append(frame)

    def call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        call_id = uuid.uuid4().hex
        self.send({"command": "api_call", "method": method, "kwargs": kwargs, "call_id": call_id})
        payload = self.answer(call_id)
        assert "response" in payload, payload
        response: dict[str, Any] = payload["response"]
        return response

    def wait_pushed(self, kind: str) -> dict[str, Any]:
        while True:
            for frame in self.pushed:
                if frame["type"] == kind:
                    self.pushed.remove(frame)
                    return frame
            self.pushed.append(json.loads(self.ws.recv()))

    def close(self) -> None:
        self.ws.close()


@dataclass
class BitDust:
    server: Server
    rest_port: int
    ws_port: int
    local: Path  # the local root uploads read from and downloads write to
    user: str = ""
    sockets: list[Socket] = field(default_factory=list)

    @property
    def secret(self) -> str:
        return (self.server.data_dir / "bitdust" / "apisecret").read_text().strip()

    def rest(self, secret: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.rest_port}",
            headers={"api_secret": self.secret if secret is None else secret},
            timeout=60,
        )

    def socket(self, secret: str | None = None) -> Socket:
        given = self.secret if secret is None else secret
        sock = Socket(f"ws://127.0.0.1:{self.ws_port}/?api_secret={given}")
        self.sockets.append(sock)
        return sock

    def remote(self, path: str, alias: str = "master", user: str | None = None) -> str:
        return f"{alias}${user or self.user}@localhost:{path}"


def bitdust_env(
    data: Path, local: Path, rest_port: int, ws_port: int, **extra: str
) -> dict[str, str]:
    return server_env(
        data,
        None,
        PODSTORE_LISTENERS__BITDUST__ENABLED="true",
        PODSTORE_LISTENERS__BITDUST__PORT=str(rest_port),
        PODSTORE_LISTENERS__BITDUST_WS__ENABLED="true",
        PODSTORE_LISTENERS__BITDUST_WS__PORT=str(ws_port),
        PODSTORE_FRONTENDS__BITDUST__LOCAL_ROOTS=json.dumps([str(local)]),
        **extra,
    )


def running_bitdust(root: Path, ws_port: int | None = None, **extra: str) -> Iterator[BitDust]:
    """A server with an engine identity made by `identity_create`."""
    local = root / "local"
    local.mkdir()
    rest_port, ws_port = free_port(), ws_port or free_port()
    server = Server(root / "data", bitdust_env(root / "data", local, rest_port, ws_port, **extra))
    server.start()
    engine = BitDust(server, rest_port, ws_port, local)
    try:
        name = f"bd{uuid.uuid4().hex[:10]}"
        with engine.rest() as rest:
            created = rest.post("/identity/create/v1", json={"username": name}).json()
        assert created["status"] == "OK", created
        engine.user = name
        yield engine
    finally:
        for sock in engine.sockets:
            sock.close()
        server.stop()
