"""The WebSocket's file events, which carry content in binary messages (FairOS's ws.go):

- `/file/upload`: the request, then the file as one binary message; `/file/upload/stream`:
  the request with `contentLength`, then binary messages until that many bytes came. Both
  answer `{_id, event, params: {fileName, message}, code}`.
- `/file/download`: `{…, params: {content_length, file_name}, code: 200}`, then the file as
  one binary message (at most MAX_WHOLE bytes); `/file/download/stream`: the same first
  message, the file in binary messages of at most 1,000,000 bytes, then `{…, params:
  {"message": "download finished"}, code: 200}`.

Each runs the REST upload or download route in-process, the content streaming through:
nothing is held whole but a non-streamed download's one message."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from starlette.websockets import WebSocket, WebSocketDisconnect

from podstore.frontends.dialects.fairos.errors import FairError
from podstore.frontends.dialects.fairos.inprocess import (
    auth_headers,
    ignore_start,
    once,
    parse_json,
    run_route,
)

CHUNK = 1_000_000  # FairOS's wsChunkLimit
MAX_WHOLE = 64 * 1024 * 1024  # one binary message of a non-streamed download
MAX_ERROR = 64 * 1024
EVENTS = ("/file/upload", "/file/upload/stream", "/file/download", "/file/download/stream")


class _TooBig(Exception):
    pass


def _fields(params: dict[str, Any], *names: str) -> dict[str, str]:
    return {n: str(params[n]) for n in names if isinstance(params.get(n), (str, int))}


async def _reply(socket: WebSocket, request_id: Any, event: str, params: Any, code: int) -> None:
    message = {"_id": request_id, "event": event, "params": params, "code": code}
    await socket.send_text(json.dumps(message))


async def _file_messages(
    socket: WebSocket, expected: int | None, limit: int
) -> AsyncIterator[bytes]:
    """Binary messages of the file: one, or (`expected` given) until that many bytes."""
    received = 0
    while True:
        message = await socket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        data = message.get("bytes")
        if data is None:
            raise FairError(400, "file content should be as binary message")
        received += len(data)
        if received > (expected if expected is not None else limit):
            raise FairError(400, "more content than contentLength")
        yield data
        if expected is None or received == expected:
            return


async def upload(
    socket: WebSocket, request_id: Any, event: str, params: dict[str, Any], cookie: str | None
) -> None:
    length = str(params.get("contentLength") or "")
    expected: int | None = None
    if event.endswith("/stream"):
        if not length.isdigit() or int(length) == 0:
            await _reply(
                socket, request_id, event, {"message": 'streaming needs "content_length"'}, 400
            )
            return
        expected = int(length)
    boundary = secrets.token_hex(16)
    name = str(params.get("fileName") or "")
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{name.replace(chr(34), "")}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()

    messages = _file_messages(socket, expected, MAX_WHOLE)

    async def body() -> AsyncIterator[bytes]:
        yield head
        async for piece in messages:
            yield piece
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = auth_headers(socket.scope, cookie)
    headers.append((b"content-type", f"multipart/form-data; boundary={boundary}".encode()))
    if params.get("compression"):
        headers.append((b"fairos-dfs-compression", str(params["compression"]).encode()))
    query = urlencode(_fields(params, "podName", "groupName", "dirPath", "blockSize", "overwrite"))
    answer_body = bytearray()

    async def keep(piece: bytes) -> None:
        answer_body.extend(piece[: MAX_ERROR - len(answer_body)])

    answer = await run_route(
        socket.scope["app"],
        socket.scope,
        "POST",
        "/v1/file/upload",
        query=query.encode(),
        headers=headers,
        body=body(),
        on_start=ignore_start,
        on_body=keep,
    )
    try:  # a refusal before the content was read: it is still on the socket
        async for _ in messages:
            pass
    except FairError:
        pass
    parsed = parse_json(bytes(answer_body))
    if answer.status < 300 and isinstance(parsed, dict) and parsed.get("Responses"):
        await _reply(socket, request_id, event, parsed["Responses"][0], 200)
    else:
        await _reply(socket, request_id, event, parsed, answer.status)


async def download(
    socket: WebSocket, request_id: Any, event: str, params: dict[str, Any], cookie: str | None
) -> None:
    streaming = event.endswith("/stream")
    path = str(params.get("filePath") or "")
    whole = bytearray()
    error = bytearray()
    status = 0

    async def on_start(code: int, headers: dict[str, str]) -> None:
        nonlocal status
        status = code
        if code != 200:
            return
        length = headers.get("content-length", "")
        if not streaming and (not length.isdigit() or int(length) > MAX_WHOLE):
            raise _TooBig
        name = path.rstrip("/").rsplit("/", 1)[-1]
        await _reply(socket, request_id, event, {"content_length": length, "file_name": name}, 200)

    async def on_body(piece: bytes) -> None:
        if status != 200:
            error.extend(piece[: MAX_ERROR - len(error)])
        elif streaming:
            for start in range(0, len(piece), CHUNK):
                await socket.send_bytes(piece[start : start + CHUNK])
        else:
            whole.extend(piece)

    query = urlencode(_fields(params, "podName", "groupName", "filePath")).encode()
    try:
        await run_route(
            socket.scope["app"],
            socket.scope,
            "GET",
            "/v1/file/download",
            query=query,
            headers=auth_headers(socket.scope, cookie),
            body=once(b""),
            on_start=on_start,
            on_body=on_body,
        )
    except _TooBig:
        text = f"a file over {MAX_WHOLE} bytes downloads with /file/download/stream"
        await _reply(socket, request_id, event, {"message": text}, 413)
        return
    if status != 200:
        await _reply(socket, request_id, event, parse_json(bytes(error)), status)
    elif streaming:
        await _reply(socket, request_id, event, {"message": "download finished"}, 200)
    else:
        await socket.send_bytes(bytes(whole))
