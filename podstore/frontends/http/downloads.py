"""A file download for any HTTP front end: validators (ETag, Last-Modified), conditional
requests (If-None-Match, If-Modified-Since, If-Range, RFC 9110 §13), a single byte range
(`ranges.py`) and a streamed body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from podstore.core.errors import RangeNotSatisfiable
from podstore.core.records import Download
from podstore.core.service import Core
from podstore.frontends.http.ranges import parse_range

# user content is never run as part of our origin
SAFE_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"}


def download_headers(download: Download) -> dict[str, str]:
    """The headers of a GET or HEAD answer for `download`, but its length."""
    return {
        "ETag": f'"{download.etag}"',
        "Accept-Ranges": "bytes",
        "Content-Type": download.content_type,
        **SAFE_HEADERS,
        "Last-Modified": formatdate(download.modified, usegmt=True),
    }


def etags(header: str | None) -> frozenset[str] | None:
    """The entity tags an If-Match or If-None-Match header lists (weak ones as strong; `*`)."""
    if header is None:
        return None
    return frozenset(
        t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()
    )


def etag_listed(header: str, etag: str) -> bool:
    """Whether an If-None-Match list names `etag` (weak comparison) or is `*`."""
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/").strip('"') == etag for tag in header.split(","))


def not_modified(request: Request, download: Download) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag_listed(if_none_match, download.etag)
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return int(download.modified) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):  # not an HTTP-date: ignored
        return False


def range_applies(request: Request, download: Download, last_modified: str) -> bool:
    """If-Range (RFC 9110 §13.1.5): the range only while the content is the one named
    by a strong ETag or by its exact Last-Modified date."""
    if_range = request.headers.get("if-range")
    if if_range is None:
        return True
    if if_range.startswith('"'):
        return if_range == f'"{download.etag}"'
    return if_range == last_modified


async def primed(stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Read the first piece before the response starts, so that a failure to read stored
    data becomes an error status rather than a cut-off body."""
    first = await anext(stream, None)

    async def rest() -> AsyncIterator[bytes]:
        if first is not None:
            yield first
        async for piece in stream:
            yield piece

    return rest()


async def answer(
    stream: AsyncIterator[bytes], length: int, status: int, headers: dict[str, str]
) -> Response:
    """A `primed` answer; a body its first piece holds whole (every small file) goes out
    as one message, without a streaming task."""
    first = await anext(stream, None)
    if first is None or len(first) >= length:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
        return Response(first or b"", status_code=status, headers=headers)

    async def rest() -> AsyncIterator[bytes]:
        yield first
        async for piece in stream:
            yield piece

    return StreamingResponse(rest(), status_code=status, headers=headers)


async def serve(handle: Download, request: Request, core: Core) -> Response:
    """The GET answer for a file: 304, 206 with one range, 416, or 200 with the whole."""
    headers = download_headers(handle)
    if not_modified(request, handle):
        return Response(status_code=304, headers={"ETag": headers["ETag"]})
    if request.query_params.get("download"):
        name = handle.node.name.replace('"', "")
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name, safe='')}"
    try:
        span = parse_range(request.headers.get("range"), handle.size)
    except RangeNotSatisfiable:
        if range_applies(request, handle, headers["Last-Modified"]):
            return Response(status_code=416, headers={"Content-Range": f"bytes */{handle.size}"})
        span = None
    if span is None or not range_applies(request, handle, headers["Last-Modified"]):
        headers["Content-Length"] = str(handle.size)
        return await answer(core.files.stream(handle), handle.size, 200, headers)
    start, end = span
    headers["Content-Length"] = str(end - start)
    headers["Content-Range"] = f"bytes {start}-{end - 1}/{handle.size}"
    return await answer(core.files.stream(handle, start, end), end - start, 206, headers)
