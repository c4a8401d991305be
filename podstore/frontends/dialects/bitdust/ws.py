"""The WebSocket listener (8280): `{"command":"api_call","method","kwargs","call_id"}` in,
`{"type":"api_call","payload":{"call_id","response"}}` out (or `errors` for a call that never
ran), each call on its own so a long poll does not hold the others; the caller's podstore
events pushed as `event` frames, received messages also as `stream_message`, new friends as
`online_status`, and what the events change as `model` frames of the models the connection
listens to (`models.py`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from podstore.core.context import Actor
from podstore.core.errors import UNAVAILABLE, CoreError
from podstore.core.service import Core
from podstore.frontends.dialects.bitdust import methods
from podstore.frontends.dialects.bitdust.api_social import _received
from podstore.frontends.dialects.bitdust.engine import Caller, Engine, engine_of
from podstore.frontends.dialects.bitdust.models import live_frames
from podstore.frontends.dialects.bitdust.registry import Call, invoke
from podstore.frontends.dialects.bitdust.rest import is_loopback

MAX_CALLS_IN_FLIGHT = 32
log = logging.getLogger("podstore.bitdust")


class Connection:
    def __init__(self, core: Core, engine: Engine, socket: WebSocket, secret: str) -> None:
        self.core, self.engine, self.socket, self.secret = core, engine, socket, secret
        self.lock = asyncio.Lock()
        self.calls: set[asyncio.Task[None]] = set()
        self.pusher: asyncio.Task[None] | None = None
        self.models: set[str] = set()  # the model listeners this connection switched on

    async def send(self, frame: dict[str, Any]) -> None:
        async with self.lock:
            await self.socket.send_text(json.dumps(frame, ensure_ascii=False))

    async def refused(self, call_id: Any, text: str) -> None:
        await self.send({"type": "api_call", "payload": {"call_id": call_id, "errors": [text]}})

    async def frame(self, text: str) -> None:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # nested too deep for the parser is invalid too
            await self.refused(None, "invalid json input")
            return
        if not isinstance(data, dict) or data.get("command") != "api_call":
            await self.refused(None, "unknown command")
            return
        call_id, name, kwargs = data.get("call_id"), data.get("method"), data.get("kwargs") or {}
        if not name:
            await self.refused(call_id, "api method name was not provided")
        elif not isinstance(name, str) or name not in methods.METHODS:
            await self.refused(call_id, "invalid api method name")
        elif not isinstance(kwargs, dict):
            await self.refused(call_id, "kwargs must be a JSON object")
        elif len(self.calls) >= MAX_CALLS_IN_FLIGHT:
            await self.refused(call_id, "too many calls in progress")
        else:
            task = asyncio.ensure_future(self.run(call_id, name, kwargs))
            self.calls.add(task)
            task.add_done_callback(self.calls.discard)

    async def run(self, call_id: Any, name: str, kwargs: dict[str, Any]) -> None:
        try:
            caller = await self.engine.caller(self.secret)
        except CoreError:
            await self.refused(call_id, "access denied")
            return
        except UNAVAILABLE:
            await self.refused(call_id, "the server is unavailable for now, try again later")
            return
        call = Call(self.core, self.engine, caller, self.send, self.models)
        response = await invoke(call, name, kwargs)
        await self.send({"type": "api_call", "payload": {"call_id": call_id, "response": response}})
        if self.pusher is None and call.caller.actor is not None:
            self.pusher = asyncio.ensure_future(self.push_events(call.caller))

    async def push_events(self, caller: Caller) -> None:
        actor: Actor = caller.me
        call = Call(self.core, self.engine, caller, self.send, self.models)
        after = await self.core.events.last_seq(actor.user_id)
        async for event in self.core.events.subscribe(actor.user_id, after):
            payload = {"event_id": event.kind, "data": event.data}
            await self.send({"type": "event", "payload": payload})
            if event.kind == "message.received":
                await self.send({"type": "stream_message", "payload": _received(call, event.data)})
            try:
                frames = await live_frames(call, event, self.models)
            except Exception:  # a frame that cannot be built must not end the others
                log.exception("BitDust model frames of %s failed", event.kind)
                continue
            for frame in frames:
                await self.send(frame)

    async def close(self) -> None:
        for task in [*self.calls, *([self.pusher] if self.pusher else [])]:
            task.cancel()
        for task in [*self.calls, *([self.pusher] if self.pusher else [])]:
            with contextlib.suppress(BaseException):
                await task


class BitDustWebSocket:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.engine = engine_of(core)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":  # a plain request: this listener speaks WebSocket only
            await send({"type": "http.response.start", "status": 426, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        if scope["type"] != "websocket":
            return
        socket = WebSocket(scope, receive, send)
        params = socket.query_params
        secret = params.get("api_secret") or params.get("a") or ""
        allowed = is_loopback(scope) and self.engine.settings.enabled
        try:
            if allowed:
                await self.engine.caller(secret)
        except CoreError:
            allowed = False
        except UNAVAILABLE:
            allowed = False
        if not allowed:
            await socket.close(code=1008)  # before accepting: the handshake gets 403
            return
        await socket.accept()
        connection = Connection(self.core, self.engine, socket, secret)
        limit = self.core.settings.max_json_body
        try:
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    await connection.refused(None, "binary frames are not part of this API")
                elif len(text) > limit:
                    await connection.refused(None, f"a frame may have at most {limit} bytes")
                else:
                    await connection.frame(text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            await connection.close()


def ws_app(core: Core) -> ASGIApp:
    return BitDustWebSocket(core)
