"""`/VFS/…`: AntOS's file operations, over the volumes of `volumes.py`."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import AsyncIterable
from typing import Any

from starlette.responses import Response

from podstore.core.errors import Conflict, NotFound
from podstore.frontends.dialects.antos.errors import AntosError, BadPath, ok
from podstore.frontends.dialects.antos.paths import VfsPath, parse
from podstore.frontends.dialects.antos.routing import Call, action, controller
from podstore.frontends.dialects.antos.volumes import writable
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.multipart import stream_parts

_DATA_URL = re.compile(r"^data:[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+;base64,")
WRONG_DATA = "Wrong data format"
NOT_OWNER = "Only the owner can share or unshare this file"
NO_SHARED = "Cannot get shared file with: {path}"

controller(
    "VFS",
    "File operations of the AntOS desktop",
    {
        "/fileinfo": "Information on a file or folder",
        "/exists": "Whether a file or folder exists",
        "/delete": "Move a file or folder to the trash",
        "/get": "The content of a file",
        "/mkdir": "Create a folder",
        "/move": "Move or rename a file or folder",
        "/publish": "Publish a file for everyone, or withdraw it",
        "/scandir": "The entries of a folder",
        "/write": "Write a file from a base64 data URL",
        "/upload": "Upload files into a folder (multipart)",
        "/shared": "Published files: all of them, or one by its id",
    },
)


def vfs_path(call: Call, text: object) -> VfsPath:
    call.subject = text if isinstance(text, str) else ""
    return parse(text, call.settings.home_pod)


async def posted_path(call: Call, key: str = "path") -> VfsPath:
    await call.actor()
    return vfs_path(call, (await call.json()).get(key))


@action("VFS", "fileinfo", not_found="File not found")
async def fileinfo(call: Call) -> Response:
    path = await posted_path(call)
    stat = await call.volumes.stat(call, path)
    return ok({**stat, "path": path.text, "name": stat.get("name") or path.name})


@action("VFS", "exists")
async def exists(call: Call) -> Response:
    await call.actor()
    text = (await call.json()).get("path")
    try:
        await call.volumes.stat(call, vfs_path(call, text))
    except (NotFound, BadPath):
        return ok(False)
    return ok(True)


@action(
    "VFS", "scandir", not_found="Resource not found: {path}", bad_path="Resource not found: {path}"
)
async def scandir(call: Call) -> Response:
    path = await posted_path(call)
    return ok(await call.volumes.listing(call, path))


@action("VFS", "get", denied="You dont have read permission on this file")
async def get(call: Call) -> Response:
    await call.actor()
    return await call.volumes.response(call, vfs_path(call, call.args))


@action("VFS", "mkdir")
async def mkdir(call: Call) -> Response:
    path = writable(await posted_path(call))
    actor = await call.actor()
    try:
        await call.core.tree.mkdir(actor, path.scope, path.inner)
    except Conflict:  # AntOS answers true when the folder is there already
        if (await call.core.tree.stat(actor, path.scope, path.inner)).kind != "dir":
            raise
    return ok(True)


@action("VFS", "move")
async def move(call: Call) -> Response:
    actor = await call.actor()
    body = await call.json()
    source = writable(vfs_path(call, body.get("src")))
    target = writable(vfs_path(call, body.get("dest")))
    if source.scope != target.scope:
        raise AntosError("A file cannot be moved to another drive")
    await call.core.tree.move(actor, source.scope, source.inner, target.inner)
    return ok(True)


@action("VFS", "delete", invalid="Cant not delete the file")
async def delete(call: Call) -> Response:
    path = writable(await posted_path(call))
    await call.core.tree.delete(await call.actor(), path.scope, path.inner)
    return ok(True)


def decode_data_url(data: object) -> bytes:
    """AntOS's write body: a base64 data URL, or "" for an empty file."""
    if data == "":
        return b""
    match = _DATA_URL.match(data) if isinstance(data, str) else None
    if match is None or not isinstance(data, str):
        raise AntosError(WRONG_DATA)
    try:
        return base64.b64decode(data[match.end() :], validate=True)
    except (binascii.Error, ValueError):
        raise AntosError(WRONG_DATA) from None


@action(
    "VFS",
    "write",
    not_found="Resource does not exist: {path}",
    denied="You dont have write permission on this file: {path}",
)
async def write(call: Call) -> Response:
    await call.actor()
    # a data URL is the file's bytes in base64 (4/3 of them) inside JSON
    body = await call.json(call.core.settings.max_request_bytes * 4 // 3 + 64 * 1024)
    path = writable(vfs_path(call, body.get("path")))
    await call.volumes.write(call, path, decode_data_url(body.get("data")))
    return ok(True)


class _NoDestination(AntosError):
    def __init__(self) -> None:
        super().__init__("Invalid query")


@action("VFS", "upload")
async def upload(call: Call) -> Response:
    """multipart/form-data: the folder in `path`, then the files `upload-0` … `upload-N`."""
    actor = await call.actor()
    if not call.request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise _NoDestination()
    fields: dict[str, str] = {}
    folders: list[VfsPath] = []

    async def store(field: str, filename: str | None, data: AsyncIterable[bytes]) -> int:
        if not folders:
            if "path" not in fields:
                raise _NoDestination()
            if not fields["path"].strip():
                raise AntosError("Unknown upload destination, abort!")
            folder = writable(vfs_path(call, fields["path"]))
            if (await call.core.tree.stat(actor, folder.scope, folder.inner)).kind != "dir":
                raise NotFound("the destination is not a folder")
            folders.append(folder)
        if not field.startswith("upload-") or not filename:
            async for _ in data:  # not a file AntOS sends: read past it
                pass
            return 0
        target = "/".join((*folders[0].parts, filename))
        await call.core.files.upload(actor, folders[0].scope, target, data)
        return 1

    content_type = call.request.headers.get("content-type", "")
    _, stored = await stream_parts(body_of(call.request), content_type, store, fields)
    if "path" not in fields:
        raise _NoDestination()
    if not sum(stored):
        raise AntosError("No file is uploaded")
    return ok(sum(stored))


@action("VFS", "publish", denied=NOT_OWNER)
async def publish(call: Call) -> Response:
    actor = await call.actor()
    body = await call.json()
    if body.get("publish"):
        path = vfs_path(call, body.get("path"))
        if not path.in_pod:
            raise AntosError(NOT_OWNER)
        return ok(await call.core.published.publish(actor, path.scope, path.inner))
    token = body.get("path")
    if not isinstance(token, str):
        raise AntosError("Uknown request")
    token = token.removeprefix("shared://")
    try:
        await call.core.published.unpublish(actor, token)
    except NotFound:
        raise AntosError(NO_SHARED.format(path=token)) from None
    return ok(token)


@action("VFS", "shared", not_found=NO_SHARED, invalid=NO_SHARED, denied=NO_SHARED)
async def shared(call: Call) -> Response:
    """Anonymous, as in AntOS: `all` lists the published files, `<id>` reads one."""
    sid = call.args.strip("/")
    call.subject = sid
    if sid == "all":
        listing: list[dict[str, Any]] = await call.volumes.published()
        return ok(listing)
    if not sid or "/" in sid:
        raise NotFound(sid)
    return await call.volumes.response(call, VfsPath("shared", sid, (), f"shared://{sid}"))
