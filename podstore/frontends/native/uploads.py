"""The chunk-list upload handshake (resumable, parallel, deduplicating); logic in core/uploads.

    GET    /pods/{pod}/chunk-params          how to cut a file into chunks for this pod
    GET    /pods/{pod}/layout/{path}         {version_id, size, chunks:[size...]}: how the file
                                             there is cut, for a client re-uploading it
    POST   /pods/{pod}/chunks/missing        {chunks:[{size, hash}]} -> {missing:[index...]}:
                                             which of these the pod lacks, without declaring
    POST   /pods/{pod}/uploads               {path, size, chunks:[{size, hash}], content_type?,
                                             more?} -> 201 {id, missing:[index...], ...}
    POST   /uploads/{id}/chunks              {start, chunks:[{size, hash}], more?}: declare the
                                             next chunks of a session created with `more`
                                             -> {declared, complete, missing:[index...]}
    GET    /uploads                          the caller's unfinished uploads
    GET    /uploads/{id}                     status, with the indexes still missing (resume)
    PUT    /uploads/{id}/chunks/{index}      the raw bytes of chunk `index` (or of several
                                             consecutive chunks from it), in any order
    POST   /uploads/{id}/commit              no body; makes the version visible
    DELETE /uploads/{id}                     cancel

With `more: true` the chunk list is declared in parts, so a client can send the first chunks
while it still cuts and hashes the rest of the file; the list is complete (and the session
can commit) once the sizes add up to `size` in a declaration without `more`.

No request body may exceed `max_request_bytes` (413), so uploads pass proxy body caps.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict
from typing import Any, TypeVar

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, ValidationError

from podstore.core.errors import Invalid
from podstore.core.records import DeclaredChunk
from podstore.frontends.http.bodies import body_of, read_body
from podstore.frontends.http.deps import ActorDep, CoreDep
from podstore.frontends.http.openapi import json_body, problems, raw_body
from podstore.frontends.native import shapes_tree as shape
from podstore.frontends.native.files import size_hint

router = APIRouter(tags=["uploads"], responses=problems(401, 403, 404, 409, 412, 429, 507))
HEX64 = r"^[0-9a-fA-F]{64}$"


class ChunkDecl(BaseModel):
    size: int = Field(gt=0)
    hash: str = Field(pattern=HEX64, description="hex BLAKE3 of the plain chunk")


class UploadCreate(BaseModel):
    path: str = Field(max_length=4096)
    size: int = Field(ge=0)
    chunks: list[ChunkDecl]
    content_type: str | None = Field(default=None, max_length=255)
    more: bool = Field(default=False, description="more chunks follow (POST /uploads/{id}/chunks)")


class ChunksAsked(BaseModel):
    chunks: list[ChunkDecl]


class ChunksDeclare(BaseModel):
    start: int = Field(ge=0, description="index of the first of these chunks")
    chunks: list[ChunkDecl]
    more: bool = Field(default=False, description="more chunks follow")


Model = TypeVar("Model", bound=BaseModel)


async def _parse(request: Request, limit: int, model: type[Model]) -> Model:
    try:
        return model.model_validate_json(await read_body(request, limit))
    except ValidationError as exc:
        raise Invalid(f"the upload request does not have the expected shape: {exc}") from None


def _declared(chunks: list[ChunkDecl]) -> list[DeclaredChunk]:
    return [DeclaredChunk(c.size, bytes.fromhex(c.hash)) for c in chunks]


@router.get("/pods/{pod}/chunk-params")
async def chunk_params(pod: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.chunk_params(await core.uploads.chunk_params(actor, pod))


@router.get("/pods/{pod}/layout/{path:path}")
async def layout(pod: str, path: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return asdict(await core.uploads.layout(actor, pod, path))


@router.post("/pods/{pod}/chunks/missing", openapi_extra=json_body(ChunksAsked))
async def missing(pod: str, request: Request, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    body = await _parse(request, core.settings.max_request_bytes, ChunksAsked)
    return {"missing": await core.uploads.missing(actor, pod, _declared(body.chunks))}


@router.post("/pods/{pod}/uploads", status_code=201, openapi_extra=json_body(UploadCreate))
async def create(pod: str, request: Request, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    body = await _parse(request, core.settings.max_request_bytes, UploadCreate)
    info = await core.uploads.create(
        actor,
        pod,
        body.path,
        body.size,
        _declared(body.chunks),
        content_type=body.content_type,
        more=body.more,
    )
    return shape.upload(info)


@router.post("/uploads/{upload_id}/chunks", openapi_extra=json_body(ChunksDeclare))
async def declare(
    upload_id: str, request: Request, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    body = await _parse(request, core.settings.max_request_bytes, ChunksDeclare)
    declared = await core.uploads.declare(
        actor, upload_id, body.start, _declared(body.chunks), more=body.more
    )
    return asdict(declared)


@router.get("/uploads")
async def list_uploads(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"uploads": [shape.open_upload(u) for u in await core.uploads.list_open(actor)]}


@router.get("/uploads/{upload_id}")
async def status(upload_id: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.upload(await core.uploads.status(actor, upload_id))


@router.put(
    "/uploads/{upload_id}/chunks/{index}", openapi_extra=raw_body("application/octet-stream")
)
async def put_chunk(
    upload_id: str, index: int, request: Request, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    body = body_of(request, core.settings.max_request_bytes)
    length = size_hint(request)
    try:
        return asdict(await core.uploads.put_chunk(actor, upload_id, index, body, length))
    except Exception:
        # read what is left of the body first: a client still sending it would see the
        # connection reset instead of the answer
        with contextlib.suppress(Exception):
            async for _ in body:
                pass
        raise


@router.post(
    "/uploads/{upload_id}/commit",
    responses={200: {"description": "A new version of a file"}, 201: {"description": "A new file"}},
)
async def commit(
    upload_id: str, response: Response, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    result = await core.uploads.commit(actor, upload_id)
    response.status_code = 201 if result.new_file else 200
    response.headers["ETag"] = f'"{result.node.version_id}"'
    return shape.committed(result, upload_id)


@router.delete("/uploads/{upload_id}", status_code=204)
async def cancel(upload_id: str, actor: ActorDep, core: CoreDep) -> Response:
    await core.uploads.cancel(actor, upload_id)
    return Response(status_code=204)
