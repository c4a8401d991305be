"""Reading through VFS paths, whatever volume they name: a pod (home, desktop, pod), a
published file (shared) or the AntOS build (os). Writing is for pod paths only."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response

from podstore.core.context import Actor
from podstore.core.errors import Invalid, NotFound, PayloadTooLarge
from podstore.core.records import Download
from podstore.core.service import Core
from podstore.frontends.dialects.antos.errors import NO_WRITE, READ_ONLY_SHARED, AntosError
from podstore.frontends.dialects.antos.osdir import OsDir
from podstore.frontends.dialects.antos.paths import VfsPath
from podstore.frontends.dialects.antos.routing import Call
from podstore.frontends.dialects.antos.stat import (
    READ,
    mime_of,
    mode_of,
    node_stat,
    published_stat,
    stat_object,
)
from podstore.frontends.http.deps import client_address
from podstore.frontends.http.downloads import serve

PAGE = 10_000


def writable(path: VfsPath) -> VfsPath:
    """`path` if it names something in a pod; shared files and the build are read-only."""
    if path.scheme == "shared":
        raise AntosError(READ_ONLY_SHARED)
    if not path.in_pod:
        raise AntosError(NO_WRITE)
    return path


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _shared_root() -> dict[str, Any]:
    return stat_object(
        "dir", size=0, created=0, modified=0, mime="", mode=mode_of("dir", READ, READ, READ),
        uid="", gid="",
    )  # fmt: skip


class Volumes:
    def __init__(self, core: Core, os_dir: OsDir) -> None:
        self.core = core
        self.os_dir = os_dir

    async def _reader(self, call: Call, token: str) -> Actor:
        return await self.core.links.open(token, None, client_address(call.request))

    async def stat(self, call: Call, path: VfsPath) -> dict[str, Any]:
        if path.scheme == "os":
            return await self.os_dir.stat(path.parts)
        if path.scheme == "shared":
            if not path.scope:
                return _shared_root()
            reader = await self._reader(call, path.scope)
            node = await self.core.links.stat(reader, "")
            return {**published_stat(node), "name": node.name}
        actor = await call.actor()
        scope = await self.core.pods.scope(actor, path.scope)
        node = await self.core.tree.stat(actor, path.scope, path.inner)
        return node_stat(node, scope, actor.user_id)

    async def listing(self, call: Call, path: VfsPath) -> list[dict[str, Any]]:
        """The folder's entries as scandir gives them, with `filename` and `path`."""
        if path.scheme == "os":
            entries = await self.os_dir.listing(path.parts)
        elif path.scheme == "shared":
            if path.scope:
                raise NotFound("a published file is not a folder")
            return await self.published()
        else:
            actor = await call.actor()
            scope = await self.core.pods.scope(actor, path.scope)
            entries, cursor = [], None
            while True:
                page = await self.core.tree.list(
                    actor, path.scope, path.inner, limit=PAGE, cursor=cursor
                )
                entries += [(n.name, node_stat(n, scope, actor.user_id)) for n in page.entries]
                if (cursor := page.next_cursor) is None:
                    break
        return [{**stat, "filename": name, "path": path.child(name)} for name, stat in entries]

    async def published(self) -> list[dict[str, Any]]:
        return [
            {**published_stat(f.node), "filename": f.node.name, "path": f"shared://{f.token}"}
            for f in await self.core.published.directory()
        ]

    async def _download(self, call: Call, path: VfsPath) -> Download:
        if path.scheme == "shared":
            if not path.scope:
                raise NotFound("the published files are a folder")
            return await self.core.links.download(await self._reader(call, path.scope), "")
        return await self.core.files.open(await call.actor(), path.scope, path.inner)

    async def response(self, call: Call, path: VfsPath) -> Response:
        """The file itself, with Range; its type told by its name, as AntOS does."""
        if path.scheme == "os":
            return await self.os_dir.response(path.parts)
        handle = await self._download(call, path)
        typed = dataclasses.replace(
            handle, content_type=mime_of(handle.node.name, handle.content_type)
        )
        return await serve(typed, call.request, self.core)

    async def read(self, call: Call, path: VfsPath, limit: int) -> bytes:
        """A whole (small) file: settings, package metadata, a package's zip."""
        if path.scheme == "os":
            return await self.os_dir.read(path.parts, limit)
        handle = await self._download(call, path)
        if handle.size > limit:
            raise PayloadTooLarge(f"{path.text} is larger than {limit} bytes")
        return b"".join([piece async for piece in self.core.files.stream(handle)])

    async def write(self, call: Call, path: VfsPath, data: bytes) -> None:
        writable(path)
        if not path.parts:
            raise Invalid("a folder cannot be written")
        await self.core.files.upload(
            await call.actor(), path.scope, path.inner, once(data), size_hint=len(data)
        )
