"""A small HTTP/1.1 server (h11 on asyncio) that writes header names in canonical case
(`Set-Cookie`, `Content-Type`), as Go's net/http does.

granian writes every header name in lower case and has no setting to change it; a few
clients read names case-sensitively (fairos-py-sdk takes `Set-Cookie` from the raw headers).
A listener whose app needs Go's case is served by this server instead (DESIGN.md §10 says
what it costs). It speaks HTTP/1.1 with keep-alive, streams bodies both ways, times out idle
connections and slow heads, and answers a malformed request 400; no WebSocket, no HTTP/2.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

import h11
from starlette.types import ASGIApp, Message

log = logging.getLogger("podstore.server")
MAX_HEAD = 64 * 1024
_REASONS = {status.value: status.phrase.encode() for status in HTTPStatus}
READ_SIZE = 256 * 1024


def canonical(name: bytes) -> bytes:
    """Go's CanonicalMIMEHeaderKey: each dash-separated word capitalised."""
    return b"-".join(word[:1].upper() + word[1:].lower() for word in name.split(b"-"))


class _Connection:
    def __init__(
        self,
        app: ASGIApp,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        head_timeout: float,
        idle_timeout: float,
    ) -> None:
        self.app, self.reader, self.writer = app, reader, writer
        self.head_timeout, self.idle_timeout = head_timeout, idle_timeout
        self.h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        self.peer = writer.get_extra_info("peername")
        self.local = writer.get_extra_info("sockname")
        self.closed = asyncio.Event()

    async def _event(self, seconds: float) -> Any:
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            async with asyncio.timeout(seconds):
                data = await self.reader.read(READ_SIZE)
            self.h11.receive_data(data)

    async def _send(self, event: Any) -> None:
        data = self.h11.send(event)
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def run(self) -> None:
        try:
            while True:
                try:
                    event = await self._event(self.head_timeout)
                except h11.RemoteProtocolError:
                    await self._refuse(400, b"malformed request")
                    return
                if not isinstance(event, h11.Request):
                    return
                await self._request(event)
                if self.h11.our_state is not h11.DONE or self.h11.their_state is not h11.DONE:
                    return
                self.h11.start_next_cycle()
        except (TimeoutError, ConnectionError, h11.LocalProtocolError, h11.RemoteProtocolError):
            return
        finally:
            self.closed.set()
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()

    async def _refuse(self, status: int, text: bytes) -> None:
        if self.h11.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            headers = [(b"Content-Length", str(len(text)).encode()), (b"Connection", b"close")]
            with contextlib.suppress(Exception):
                reason = _REASONS.get(status, b"")
                await self._send(h11.Response(status_code=status, headers=headers, reason=reason))
                await self._send(h11.Data(data=text))
                await self._send(h11.EndOfMessage())

    def _scope(self, request: h11.Request) -> dict[str, Any]:
        target = bytes(request.target)
        path, _, query = target.partition(b"?")
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": request.http_version.decode(),
            "method": request.method.decode(),
            "scheme": "http",
            "path": unquote(path.decode("latin-1")),
            "raw_path": path,
            "query_string": query,
            "root_path": "",
            "headers": [(name.lower(), value) for name, value in request.headers],
            "client": self.peer[:2] if self.peer else None,
            "server": self.local[:2] if self.local else None,
            "state": {},
        }

    async def _request(self, request: h11.Request) -> None:
        body_done = False
        responded = False

        async def receive() -> Message:
            nonlocal body_done
            if body_done:  # only the end of the connection is left to hear
                await self.closed.wait()
                return {"type": "http.disconnect"}
            try:
                event = await self._event(self.idle_timeout)
            except TimeoutError:
                body_done = True
                return {"type": "http.disconnect"}
            if isinstance(event, h11.Data):
                return {"type": "http.request", "body": bytes(event.data), "more_body": True}
            body_done = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            nonlocal responded
            if message["type"] == "http.response.start":
                headers = [(canonical(bytes(n)), bytes(v)) for n, v in message.get("headers", [])]
                if not body_done and self.h11.their_state is h11.SEND_BODY:
                    headers.append((b"Connection", b"close"))  # the rest is not read
                status = message["status"]
                reason = _REASONS.get(status, b"")
                await self._send(h11.Response(status_code=status, headers=headers, reason=reason))
                responded = True
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                if body and request.method != b"HEAD":
                    await self._send(h11.Data(data=body))
                if not message.get("more_body", False):
                    await self._send(h11.EndOfMessage())

        try:
            await self.app(self._scope(request), receive, send)
        except Exception:
            log.exception("unhandled error in %s %s", request.method, request.target)
            if not responded:
                await self._refuse(500, b"internal error")
            return
        if not responded:
            await self._refuse(500, b"no response")


class CanonicalHttpServer:
    """Serves `app` on host:port until `stop()`; the same shape as granian's embedded one."""

    def __init__(
        self, app: ASGIApp, host: str, port: int, head_timeout: float, idle_timeout: float
    ) -> None:
        self.app, self.host, self.port = app, host, port
        self.head_timeout, self.idle_timeout = head_timeout, idle_timeout
        self._stopped = asyncio.Event()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = _Connection(self.app, reader, writer, self.head_timeout, self.idle_timeout)
        await connection.run()

    async def serve(self) -> None:
        server = await asyncio.start_server(
            self._serve_one, self.host, self.port, reuse_port=True, limit=MAX_HEAD
        )
        async with server:
            await self._stopped.wait()

    def stop(self) -> None:
        self._stopped.set()
