"""Document collections: list/create/stat/delete collections; put/get/delete documents;
find and count with a native filter or a FairOS expression; JSON-lines import, and indexing
a JSON-lines file already in the pod.

Document routes are `/docs/{coll}/{id}` with GET/DELETE (PUT to the collection stores a
document); collection-level actions are POSTs (`/find`, `/count`, `/import`, `/index-file`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from podstore.frontends.http.bodies import read_body
from podstore.frontends.http.deps import ActorDep, CoreDep
from podstore.frontends.http.openapi import json_body, problems, raw_body
from podstore.frontends.native.kv import MAX_IMPORT, json_model, parse_json

router = APIRouter(tags=["docs"], responses=problems(401, 403, 404, 409, 507))
MAX_DOCUMENT = 4 * 1024 * 1024 + 1024


class CollectionCreate(BaseModel):
    name: str = Field(max_length=1024)
    indexes: str | None = Field(default=None, max_length=64 * 1024)


class Document(BaseModel):
    """Any JSON object with a string `id`."""

    model_config = ConfigDict(extra="allow")
    id: str


class Find(BaseModel):
    filter: dict[str, Any] | None = None
    expr: str | None = Field(default=None, max_length=4096)
    sort: str | dict[str, int] | None = None
    limit: int = Field(default=100, ge=1, le=10_000)
    cursor: str | None = Field(default=None, max_length=8192)


class Count(BaseModel):
    filter: dict[str, Any] | None = None
    expr: str | None = Field(default=None, max_length=4096)


class IndexFile(BaseModel):
    path: str = Field(max_length=64 * 1024)
    mode: Literal["atomic", "rows"] = "atomic"


@router.get("/pods/{pod}/docs")
async def list_collections(pod: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"collections": [asdict(c) for c in await core.docs.collections(actor, pod)]}


@router.post("/pods/{pod}/docs", status_code=201, openapi_extra=json_body(CollectionCreate))
async def create_collection(pod: str, request: Request, actor: ActorDep, core: CoreDep) -> Any:
    body: CollectionCreate = await json_model(request, CollectionCreate)
    return asdict(await core.docs.create(actor, pod, body.name, body.indexes))


@router.get("/pods/{pod}/docs/{coll}")
async def stat_collection(pod: str, coll: str, actor: ActorDep, core: CoreDep) -> Any:
    return asdict(await core.docs.stat(actor, pod, coll))


@router.delete("/pods/{pod}/docs/{coll}", status_code=204)
async def delete_collection(pod: str, coll: str, actor: ActorDep, core: CoreDep) -> None:
    await core.docs.delete_collection(actor, pod, coll)


@router.put(
    "/pods/{pod}/docs/{coll}",
    status_code=201,
    responses={201: {"description": "A new document"}, 200: {"description": "A document replaced"}},
    openapi_extra=json_body(Document),
)
async def put_document(
    pod: str, coll: str, request: Request, response: Response, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    """The body is one JSON document with a string `id`; the same id replaces it."""
    doc = parse_json(await read_body(request, MAX_DOCUMENT))
    result = await core.docs.put(actor, pod, coll, doc)
    response.status_code = 201 if result.created else 200
    return asdict(result)


@router.get("/pods/{pod}/docs/{coll}/{doc_id:path}")
async def get_document(pod: str, coll: str, doc_id: str, actor: ActorDep, core: CoreDep) -> Any:
    return await core.docs.get(actor, pod, coll, doc_id)


@router.delete("/pods/{pod}/docs/{coll}/{doc_id:path}", status_code=204)
async def delete_document(pod: str, coll: str, doc_id: str, actor: ActorDep, core: CoreDep) -> None:
    await core.docs.delete(actor, pod, coll, doc_id)


@router.post("/pods/{pod}/docs/{coll}/find", openapi_extra=json_body(Find))
async def find(pod: str, coll: str, request: Request, actor: ActorDep, core: CoreDep) -> Any:
    """Body {filter?, expr?, sort?, limit?, cursor?} → {docs, next}."""
    body: Find = await json_model(request, Find)
    page = await core.docs.find(
        actor, pod, coll, body.filter, body.expr, body.sort, body.limit, body.cursor
    )
    return {"docs": page.docs, "next": page.next}


@router.post("/pods/{pod}/docs/{coll}/count", openapi_extra=json_body(Count))
async def count(pod: str, coll: str, request: Request, actor: ActorDep, core: CoreDep) -> Any:
    body: Count = await json_model(request, Count)
    return {"count": await core.docs.count(actor, pod, coll, body.filter, body.expr)}


@router.post("/pods/{pod}/docs/{coll}/import", openapi_extra=raw_body("application/x-ndjson"))
async def import_lines(
    pod: str,
    coll: str,
    request: Request,
    actor: ActorDep,
    core: CoreDep,
    mode: Literal["atomic", "rows"] = "atomic",
) -> dict[str, Any]:
    """Load a JSON-lines body, one document per line."""
    data = await read_body(request, MAX_IMPORT)
    return asdict(await core.docs.import_lines(actor, pod, coll, data, mode))


@router.post("/pods/{pod}/docs/{coll}/index-file", openapi_extra=json_body(IndexFile))
async def index_file(
    pod: str, coll: str, request: Request, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    """Load the documents of a JSON-lines file already in the pod: body {path, mode?}."""
    body: IndexFile = await json_model(request, IndexFile)
    return asdict(await core.docs.index_file(actor, pod, coll, body.path, body.mode))
