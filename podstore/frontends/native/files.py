"""File content: raw and multipart upload, download with Range and ETags, versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from podstore.core.errors import Invalid
from podstore.core.records import Preconditions
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.deps import ActorDep, CoreDep
from podstore.frontends.http.downloads import download_headers, etags, serve
from podstore.frontends.http.multipart import stream_parts
from podstore.frontends.http.openapi import DOWNLOAD, FORM, problems, raw_body
from podstore.frontends.native import shapes_tree as shape
from podstore.frontends.native.express import ExpressRoute

router = APIRouter(tags=["files"], responses=problems(401, 403, 404, 409, 412, 507))
IGNORED_TYPES = ("application/x-www-form-urlencoded", "application/octet-stream")


class VersionRestore(BaseModel):
    version_id: str = Field(max_length=64)


def conditions_of(request: Request) -> Preconditions:
    headers = request.headers
    return Preconditions(etags(headers.get("if-match")), etags(headers.get("if-none-match")))


def declared_type(request: Request) -> str | None:
    kind = request.headers.get("content-type", "").strip()
    return kind[:255] if kind and kind.split(";")[0] not in IGNORED_TYPES else None


def size_hint(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return int(value) if value and value.isdigit() else None


FILE = "/pods/{pod}/files/{path:path}"
UPLOADED: dict[int | str, dict[str, Any]] = {
    201: {"description": "a new file"},
    200: {"description": "a new version of a file"},
}


@router.put(
    FILE,
    status_code=201,
    response_model=None,
    responses=UPLOADED,
    openapi_extra=raw_body("application/octet-stream", required=False),
)
async def upload(pod: str, path: str, request: Request, actor: ActorDep, core: CoreDep) -> Response:
    result = await core.files.upload(
        actor,
        pod,
        path,
        body_of(request),
        content_type=declared_type(request),
        conditions=conditions_of(request),
        size_hint=size_hint(request),
    )
    return JSONResponse(
        shape.written(result),
        status_code=201 if result.new_file else 200,
        headers={"ETag": f'"{result.node.version_id}"'},
    )


@router.post("/pods/{pod}/upload", status_code=201, openapi_extra=FORM)
@router.post("/pods/{pod}/upload/{path:path}", status_code=201, openapi_extra=FORM)
async def upload_form(
    pod: str, request: Request, actor: ActorDep, core: CoreDep, path: str = ""
) -> dict[str, Any]:
    """multipart/form-data with one or more files, stored in the folder `path`."""
    folder = path.strip("/")

    async def consume(_field: str, filename: str | None, data: Any) -> dict[str, Any]:
        target = f"{folder}/{filename}" if folder else str(filename)
        return shape.written(await core.files.upload(actor, pod, target, data))

    _, results = await stream_parts(
        body_of(request), request.headers.get("content-type", ""), consume
    )
    if not results:
        raise Invalid("the form holds no file")
    return {"files": results}


@router.get(FILE, **DOWNLOAD)
async def download(
    pod: str,
    path: str,
    request: Request,
    actor: ActorDep,
    core: CoreDep,
    version: str | None = None,
) -> Response:
    handle = await core.files.open(actor, pod, path, version)
    return await serve(handle, request, core)


@router.get("/pods/{pod}/thumbnail/{path:path}", **DOWNLOAD)
async def thumbnail(
    pod: str,
    path: str,
    request: Request,
    actor: ActorDep,
    core: CoreDep,
    size: int = 128,
    version: str | None = None,
) -> Response:
    """An image's thumbnail (WebP, `size` 128 or 1024 on its longest side), made on first
    request; 404 for what is not a JPEG, PNG, GIF, WebP or BMP image it can decode."""
    handle = await core.previews.thumbnail(actor, pod, path, size, version)
    response = await serve(handle, request, core)
    # a URL naming the version always shows the same picture; one without it may change
    response.headers["Cache-Control"] = (
        "private, max-age=31536000, immutable" if version else "private, no-cache"
    )
    return response


@router.head(
    FILE,
    response_model=None,
    response_class=Response,
    responses={200: {"description": "The headers of a download"}},
)
async def head(
    pod: str,
    path: str,
    request: Request,
    actor: ActorDep,
    core: CoreDep,
    version: str | None = None,
) -> Response:
    handle = await core.files.open(actor, pod, path, version)
    headers = download_headers(handle)
    headers["Content-Length"] = str(handle.size)
    return Response(status_code=200, headers=headers)


@router.delete("/pods/{pod}/files/{path:path}")
async def delete(pod: str, path: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.with_path(await core.tree.delete(actor, pod, path))


@router.get("/pods/{pod}/versions/{path:path}")
async def versions(pod: str, path: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"versions": [shape.version(v) for v in await core.files.versions(actor, pod, path)]}


@router.post("/pods/{pod}/versions/{path:path}")
async def restore_version(
    pod: str, path: str, body: VersionRestore, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    return shape.restored_version(
        await core.files.restore_version(actor, pod, path, body.version_id)
    )


EXPRESS = [
    ExpressRoute(method, f"/api/v1{FILE}", endpoint)
    for method, endpoint in (("PUT", upload), ("GET", download), ("HEAD", head))
]
