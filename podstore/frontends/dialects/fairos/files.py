"""Files: upload (multipart `files`, repeatable), download (GET and POST), stat, status,
delete, rename."""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from podstore.core.errors import Conflict, Invalid, PreconditionFailed
from podstore.core.records import NodeInfo, Preconditions
from podstore.frontends.dialects.fairos.calls import Call, endpoint
from podstore.frontends.dialects.fairos.dirs import BLOCK_SIZE, mode_of, parse_mode
from podstore.frontends.dialects.fairos.envelope import respond
from podstore.frontends.dialects.fairos.errors import FairError
from podstore.frontends.dialects.fairos.pods import open_pod
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.downloads import serve
from podstore.frontends.http.multipart import stream_parts

NO_FILE = "file not found in dfs"
MIN_BLOCK, MAX_BLOCK = 1_000_000, 8_000_000
BLOCK_RANGE = "upload: block size must be between 1000000 - 8000000 (1Mb - 8Mb)"
# go-humanize's ParseBytes units, as FairOS reads blockSize ("1Mb" is 1,000,000 bytes)
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "ki": 2**10, "mi": 2**20}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmg]i?)?b?\s*$", re.IGNORECASE)


def block_size(text: str, v0: bool) -> int:
    found = _SIZE.match(text)
    if not found:
        raise FairError(400, BLOCK_RANGE, bare=True)
    unit = (found.group(2) or "").lower()
    if v0 and not unit:  # the seed document's `block_size` is in Mb
        unit = "m"
    size = int(float(found.group(1)) * _UNITS[unit])
    if not MIN_BLOCK <= size <= MAX_BLOCK:
        raise FairError(400, BLOCK_RANGE, bare=True)
    return size


async def _replay(pieces: list[bytes], rest: AsyncIterator[bytes] | None) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece
    if rest is not None:
        async for piece in rest:
            yield piece


async def sized(data: AsyncIterable[bytes], small: int) -> tuple[AsyncIterator[bytes], int | None]:
    """The part's content, and its size when it ends below `small` bytes (the core then
    stores it in one write, as a native PUT with a Content-Length)."""
    pieces: list[bytes] = []
    size = 0
    source = aiter(data)
    async for piece in source:
        pieces.append(piece)
        size += len(piece)
        if size >= small:
            return _replay(pieces, source), None
    return _replay(pieces, None), size


def file_path(call: Call) -> str:
    return call.get("filePath", "file")


def joined(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


async def upload(call: Call) -> Response:
    content_type = call.request.headers.get("content-type", "")
    form: dict[str, str] = {}
    checked: dict[str, Any] = {}

    async def store(field: str, name: str | None, data: AsyncIterable[bytes]) -> dict[str, str]:
        call.merge(form)
        if field != "files" or not name:
            raise FairError(400, f'unexpected file in "{field}"')
        if not checked:
            checked["pod"] = await open_pod(call)
            checked["dir"] = call.get("dirPath", "pod_dir")
            block_size(call.get("blockSize", "block_size", "1Mb"), call.generation.name == "v0")
            overwrite = call.flag("overwrite", True)
            checked["if"] = Preconditions() if overwrite else Preconditions(None, frozenset("*"))
        content, size = await sized(data, call.core.settings.inline_threshold)
        try:
            await call.core.files.upload(
                await call.actor(),
                checked["pod"],
                joined(checked["dir"], name),
                content,
                conditions=checked["if"],
                size_hint=size,
            )
        except PreconditionFailed:
            raise FairError(400, "file already present") from None
        return dict(call.generation.shape(("fileName", "file_name", name))) | {
            "message": "uploaded successfully"
        }

    try:
        _, answers = await stream_parts(body_of(call.request), content_type, store, form)
    except Invalid as exc:
        raise FairError(400, exc.detail) from None
    if not answers:
        raise FairError(400, "no files given")
    return respond({"Responses": answers}, 201)


MAX_UPDATE = 64 * 1024 * 1024


async def update(call: Call) -> Response:
    """Write the form's file at `offset` of an existing file: a new version of the whole,
    written only if no one changed the file meanwhile."""
    piece = await call.form_file(MAX_UPDATE)
    pod, path = await open_pod(call), file_path(call)
    offset_text = call.get("offset", default="0")
    if not offset_text.isdigit():
        raise FairError(400, "invalid offset")
    offset = int(offset_text)
    actor = await call.actor()
    current = await call.core.files.open(actor, pod, path)
    if offset > current.size:
        raise FairError(400, "offset is beyond the end of the file")

    async def spliced() -> AsyncIterator[bytes]:
        async for head in call.core.files.stream(current, 0, offset):
            yield head
        yield piece
        async for tail in call.core.files.stream(current, offset + len(piece)):
            yield tail

    try:
        await call.core.files.upload(
            actor, pod, path, spliced(), conditions=Preconditions(frozenset({current.etag}))
        )
    except PreconditionFailed:
        raise FairError(400, "the file changed while it was updated; try again") from None
    answer = call.generation.shape(("fileName", "file_name", current.node.name))
    return respond({"Responses": [answer | {"message": "uploaded successfully"}]})


async def download(call: Call) -> Response:
    pod = await open_pod(call)
    handle = await call.core.files.open(await call.actor(), pod, file_path(call))
    response = await serve(handle, call.request, call.core)
    return response


async def _file(call: Call, pod: str, path: str) -> NodeInfo:
    node = await call.core.tree.stat(await call.actor(), pod, path)
    if node.kind != "file":
        raise FairError(404, NO_FILE)
    return node


async def stat(call: Call) -> Response:
    pod, path = await open_pod(call), file_path(call)
    node = await _file(call, pod, path)
    parent = "/" + "/".join(path.strip("/").split("/")[:-1])
    return respond(
        call.generation.shape(
            ("podName", "pod_name", pod),
            ("mode", "mode", mode_of(node)),
            ("filePath", "file_path", parent),
            ("fileName", "file_name", node.name),
            ("fileSize", "file_size", str(node.size)),
            ("blockSize", "block_size", str(BLOCK_SIZE)),
            ("compression", "compression", ""),
            ("contentType", "content_type", node.content_type or "application/octet-stream"),
            ("creationTime", "creation_time", str(int(node.created_at))),
            ("modificationTime", "modification_time", str(int(node.modified_at))),
            ("accessTime", "access_time", str(int(node.modified_at))),
        )
    )


async def status(call: Call) -> Response:
    pod, path = await open_pod(call), file_path(call)
    node = await _file(call, pod, path)
    blocks = math.ceil(node.size / BLOCK_SIZE)
    return respond({"total": blocks, "processed": blocks, "synced": blocks})


async def delete(call: Call) -> Response:
    pod, path = await open_pod(call), file_path(call)
    await _file(call, pod, path)
    await call.core.tree.delete(await call.actor(), pod, path)
    return respond(call.generation.message("file deleted successfully", 200))


async def rename(call: Call) -> Response:
    pod = await open_pod(call)
    old, new = call.get("oldPath"), call.get("newPath")
    await _file(call, pod, old)
    try:
        await call.core.tree.move(await call.actor(), pod, old, new)
    except Conflict:
        raise FairError(400, "file already present") from None
    return respond(call.generation.message("file renamed successfully", 200))


async def chmod(call: Call) -> Response:
    pod, path, mode = await open_pod(call), file_path(call), parse_mode(call)
    await _file(call, pod, path)
    await call.core.tree.chmod(await call.actor(), pod, path, mode)
    return respond(call.generation.message("file mode changed successfully", 200))


def routes() -> list[Route]:
    out: list[Route] = []
    for version, body, query in (("v0", "form", "form"), ("v1", "json", "none")):
        base = f"/{version}/file"
        out += [
            Route(f"{base}/upload", endpoint("file upload", upload, "none"), methods=["POST"]),
            Route(
                f"{base}/download",
                endpoint("download", download, "any", NO_FILE),
                methods=["GET", "POST"],
            ),
            Route(f"{base}/stat", endpoint("file stat", stat, query, NO_FILE), methods=["GET"]),
            Route(
                f"{base}/delete",
                endpoint("file delete", delete, body, NO_FILE),
                methods=["DELETE"],
            ),
        ]
    return [
        *out,
        Route("/v1/file/status", endpoint("status", status, "none", NO_FILE), methods=["GET"]),
        Route(
            "/v1/file/update", endpoint("file update", update, "none", NO_FILE), methods=["POST"]
        ),
        Route(
            "/v1/file/rename", endpoint("file rename", rename, "json", NO_FILE), methods=["POST"]
        ),
        Route("/v1/file/chmod", endpoint("chmod", chmod, "json", NO_FILE), methods=["POST"]),
    ]
