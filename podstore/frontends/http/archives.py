"""A selection of files and folders as one zip, streamed as it is read (stream-zip): no
archive is built in memory or on disk. Any HTTP front end answers with `zip_response`."""

from __future__ import annotations

import stat
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from urllib.parse import quote

from starlette.responses import StreamingResponse
from stream_zip import ZIP_64, Method, async_stream_zip

from podstore.core.context import Actor
from podstore.core.records import TreeEntry
from podstore.core.service import Core
from podstore.frontends.http.downloads import primed

Member = tuple[str, datetime, int, Method, AsyncIterable[bytes]]


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # an async generator that yields nothing


async def _members(
    core: Core, actor: Actor, scope: str, entries: list[TreeEntry]
) -> AsyncIterator[Member]:
    for entry in entries:
        when = datetime.fromtimestamp(entry.node.modified_at, UTC)
        if entry.node.kind == "dir":
            yield entry.relative + "/", when, stat.S_IFDIR | 0o755, ZIP_64, _nothing()
            continue
        handle = await core.files.open(actor, scope, entry.node.path or "")
        yield entry.relative, when, stat.S_IFREG | 0o644, ZIP_64, core.files.stream(handle)


def attachment(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


async def zip_response(
    core: Core, actor: Actor, scope: str, paths: list[str], filename: str
) -> StreamingResponse:
    """The selection at `paths` (in `scope`) as `filename`; errors before the first byte
    (nothing selected, no such path, downloads not allowed) become an error status."""
    entries = await core.tree.walk(actor, scope, paths)
    body = async_stream_zip(_members(core, actor, scope, entries))
    return StreamingResponse(
        await primed(aiter(body)),
        media_type="application/zip",
        headers={"Content-Disposition": attachment(filename), "X-Content-Type-Options": "nosniff"},
    )
