"""The chunk-list upload handshake (resumable, parallel, deduplicating); logic in core/uploads.

    GET    /pods/{pod}/chunk-params          how to cut a file into chunks for this pod
    POST   /pods/{pod}/uploads               {path, size, chunks:[{size, hash}], content_type?}
                                             -> 201 {id, missing:[index...], ...}
    GET    /uploads                          the caller's unfinished uploads
    GET    /uploads/{id}                     status, with the indexes still missing (resume)
    PUT    /uploads/{id}/chunks/{index}      the raw bytes of chunk `index` (or of several
                                             consecutive chunks from it), in any order
    POST   /uploads/{id}/commit              no body; makes the version visible
    DELETE /uploads/{id}                     cancel

No request body may exceed `max_request_bytes` (413), so uploads pass proxy body caps.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, ValidationError

from podstore.api.bodies import read_body
from podstore.api.deps import ActorDep, CoreDep
from podstore.core.errors import Invalid
from podstore.core.uploads import DeclaredChunk

router = APIRouter(tags=["uploads"])
HEX64 = r"^[0-9a-fA-F]{64}$"


class ChunkDecl(BaseModel):
    size: int = Field(gt=0)
    hash: str = Field(pattern=HEX64, description="hex BLAKE3 of the plain chunk")


class UploadCreate(BaseModel):
    path: str = Field(max_length=4096)
    size: int = Field(ge=0)
    chunks: list[ChunkDecl]
    content_type: str | None = Field(default=None, max_length=255)


@router.get("/pods/{pod}/chunk-params")
async def chunk_params(pod: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return await core.uploads.chunk_params(actor, pod)


@router.post(
    "/pods/{pod}/uploads",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": UploadCreate.model_json_schema()}},
        }
    },
)
async def create(pod: str, request: Request, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    raw = await read_body(request, core.settings.max_request_bytes)
    try:
        body = UploadCreate.model_validate_json(raw)
    except ValidationError as exc:
        raise Invalid(f"the upload request does not have the expected shape: {exc}") from None
    declared = [DeclaredChunk(c.size, bytes.fromhex(c.hash)) for c in body.chunks]
    return await core.uploads.create(
        actor, pod, body.path, body.size, declared, content_type=body.content_type
    )


@router.get("/uploads")
async def list_uploads(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"uploads": await core.uploads.list_open(actor)}


@router.get("/uploads/{upload_id}")
async def status(upload_id: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return await core.uploads.status(actor, upload_id)


@router.put(
    "/uploads/{upload_id}/chunks/{index}",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    },
)
async def put_chunk(
    upload_id: str, index: int, request: Request, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    data = await read_body(request, core.settings.max_request_bytes)
    return await core.uploads.put_chunk(actor, upload_id, index, data)


@router.post("/uploads/{upload_id}/commit")
async def commit(
    upload_id: str, response: Response, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    result = await core.uploads.commit(actor, upload_id)
    response.status_code = 201 if result.get("new_file") else 200
    response.headers["ETag"] = f'"{result["version_id"]}"'
    return result


@router.delete("/uploads/{upload_id}", status_code=204)
async def cancel(upload_id: str, actor: ActorDep, core: CoreDep) -> Response:
    await core.uploads.cancel(actor, upload_id)
    return Response(status_code=204)
