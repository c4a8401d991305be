"""tus 1.0.0 (tus.io/protocols/resumable-upload) at /api/v1/pods/{pod}/tus/; logic in core/tus.

    OPTIONS /pods/{pod}/tus/        capabilities (no auth)
    POST    /pods/{pod}/tus/        creation (+ creation-with-upload); Upload-Metadata `path`
                                    (or `filename`) is the target path in the pod
    HEAD    /pods/{pod}/tus/{id}    Upload-Offset / Upload-Length / Upload-Expires
    PATCH   /pods/{pod}/tus/{id}    append at Upload-Offset; Upload-Checksum (sha1, md5,
                                    sha256, sha512); the last byte commits the version
    DELETE  /pods/{pod}/tus/{id}    termination

Extensions: creation, creation-with-upload, checksum, termination, expiration. Auth is the
same Bearer token as the native API. Deviations: no creation-defer-length and no
concatenation; a PATCH body may not exceed `max_request_bytes` (413), so clients must send a
chunk size below it (tuspy `chunk_size`, tus-js-client `chunkSize`) for bigger files. Errors
carry problem+json bodies; 412 on a tus version mismatch, 409 on an offset mismatch, 460 on a
checksum mismatch, 404 for an unknown upload and 410 for an expired one.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from email.utils import formatdate

from fastapi import APIRouter, Request, Response

from podstore.core.errors import CoreError, Invalid, PayloadTooLarge
from podstore.core.records import APPEND_CHECKSUMS, AppendState
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.deps import current_actor, get_core
from podstore.frontends.http.openapi import problems
from podstore.frontends.http.problem import problem
from podstore.frontends.http.statuses import status_of
from podstore.frontends.tus.errors import VERSION, is_tus_error, tus_error, tus_headers

router = APIRouter(
    tags=["tus"], responses=problems(401, 403, 404, 409, 410, 412, 413, 415, 460, 507)
)
EXTENSIONS = "creation,creation-with-upload,checksum,termination,expiration"
OFFSET_TYPE = "application/offset+octet-stream"


_headers = tus_headers


def _expires(state: AppendState) -> dict[str, str]:
    return {} if state.done else {"Upload-Expires": formatdate(state.expires_at, usegmt=True)}


async def _guard(request: Request, handler: Callable[[], Awaitable[Response]]) -> Response:
    """Version check, and every core error as problem+json with the tus headers."""
    if request.headers.get("tus-resumable") != VERSION:
        return problem(
            412,
            "Unsupported tus version",
            f"this server speaks tus {VERSION}",
            headers=_headers(**{"Tus-Version": VERSION}),
        )
    try:
        return await handler()
    except Exception as exc:
        if not is_tus_error(exc):
            raise
        base = status_of(exc) if isinstance(exc, CoreError) else None
        close = not await _drain(request)
        return tus_error(exc, head=request.method == "HEAD", close=close, base=base)


async def _drain(request: Request) -> bool:
    """Read what is left of a refused request's body (up to the request cap), so the
    connection can carry the next request; False if it was too big to bother."""
    declared = request.headers.get("content-length", "")
    limit = get_core(request).settings.max_request_bytes
    if not declared.isdigit() or int(declared) > limit:
        return (
            "content-length" not in request.headers and "transfer-encoding" not in request.headers
        )
    try:
        async for _ in body_of(request, limit):
            pass
    except (RuntimeError, CoreError):  # already read, or the client went away
        pass
    return True


def parse_metadata(raw: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in (raw or "").split(","):
        key, _, value = pair.strip().partition(" ")
        if not key:
            continue
        try:
            out[key] = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise Invalid(f"Upload-Metadata {key!r} is not base64 of UTF-8 text") from None
    return out


def parse_checksum(raw: str | None) -> tuple[str, bytes] | None:
    if not raw:
        return None
    algo, _, value = raw.strip().partition(" ")
    algo = algo.lower()
    if algo not in APPEND_CHECKSUMS:
        raise Invalid(f"unsupported checksum algorithm {algo!r}; use one of {APPEND_CHECKSUMS}")
    try:
        return algo, base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        raise Invalid("Upload-Checksum is not base64") from None


def _int_header(request: Request, name: str) -> int:
    value = request.headers.get(name, "")
    if not value.isdigit():
        raise Invalid(f"{name} must be a non-negative integer")
    return int(value)


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    chunked = "chunked" in request.headers.get("transfer-encoding", "")
    return request.headers.get("content-type", "").startswith(OFFSET_TYPE) and (
        chunked or (length is not None and length != "0")
    )


@router.options("/pods/{pod}/tus", include_in_schema=False)
@router.options("/pods/{pod}/tus/", include_in_schema=False)
@router.options("/pods/{pod}/tus/{upload_id}", include_in_schema=False)
async def options(request: Request) -> Response:
    settings = get_core(request).settings
    return Response(
        status_code=204,
        headers=_headers(
            **{
                "Tus-Version": VERSION,
                "Tus-Extension": EXTENSIONS,
                "Tus-Max-Size": str(settings.max_unfinished_bytes),
                "Tus-Checksum-Algorithm": ",".join(APPEND_CHECKSUMS),
            }
        ),
    )


@router.post("/pods/{pod}/tus", include_in_schema=False)
@router.post("/pods/{pod}/tus/", status_code=201)
async def create(pod: str, request: Request) -> Response:
    async def run() -> Response:
        core = get_core(request)
        actor = await current_actor(request, core)
        length = _int_header(request, "upload-length")
        if length > core.settings.max_unfinished_bytes:
            raise PayloadTooLarge(
                f"Upload-Length may be at most {core.settings.max_unfinished_bytes}"
            )
        raw = request.headers.get("upload-metadata")
        state = await core.tus.create(actor, pod, length, parse_metadata(raw), raw)
        if _has_body(request) and not state.done:
            checksum = parse_checksum(request.headers.get("upload-checksum"))
            body = body_of(request, core.settings.max_request_bytes)
            try:
                state = await core.tus.patch(actor, state.id, 0, body, checksum)
            except CoreError:
                state = await core.tus.state(actor, state.id)
        location = str(request.url.replace(query="")).rstrip("/") + "/" + state.id
        headers = _headers(Location=location, **{"Upload-Offset": str(state.offset)})
        return Response(status_code=201, headers={**headers, **_expires(state)})

    return await _guard(request, run)


@router.head("/pods/{pod}/tus/{upload_id}")
async def head(pod: str, upload_id: str, request: Request) -> Response:
    async def run() -> Response:
        core = get_core(request)
        state = await core.tus.state(await current_actor(request, core), upload_id)
        headers = _headers(
            **{"Upload-Offset": str(state.offset), "Upload-Length": str(state.length)}
        )
        if state.metadata:
            headers["Upload-Metadata"] = state.metadata
        return Response(status_code=200, headers={**headers, **_expires(state)})

    return await _guard(request, run)


@router.patch("/pods/{pod}/tus/{upload_id}", status_code=204)
async def patch(pod: str, upload_id: str, request: Request) -> Response:
    async def run() -> Response:
        core = get_core(request)
        actor = await current_actor(request, core)
        if not request.headers.get("content-type", "").startswith(OFFSET_TYPE):
            headers = _headers() if await _drain(request) else _headers(Connection="close")
            return problem(415, "Unsupported media type", f"send {OFFSET_TYPE}", headers)
        offset = _int_header(request, "upload-offset")
        checksum = parse_checksum(request.headers.get("upload-checksum"))
        body = body_of(request, core.settings.max_request_bytes)
        state = await core.tus.patch(actor, upload_id, offset, body, checksum)
        headers = _headers(**{"Upload-Offset": str(state.offset)})
        return Response(status_code=204, headers={**headers, **_expires(state)})

    return await _guard(request, run)


@router.delete("/pods/{pod}/tus/{upload_id}", status_code=204)
async def terminate(pod: str, upload_id: str, request: Request) -> Response:
    async def run() -> Response:
        core = get_core(request)
        await core.tus.terminate(await current_actor(request, core), upload_id)
        return Response(status_code=204, headers=_headers())

    return await _guard(request, run)
