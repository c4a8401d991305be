"""KV tables: list/create/delete tables; put/get/delete entries (raw bodies); range scans,
batch put, count, CSV/JSON-lines import and export.

Entry routes are `/kv/{table}/{key}` with PUT/GET/HEAD/DELETE; table-level actions are
POSTs under the table (`/batch`, `/count`, `/import`), so no key is ever shadowed. An export
is the range scan with `format=csv|jsonl`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from podstore.core.errors import Invalid
from podstore.core.records import KvEntry
from podstore.frontends.http.bodies import read_body
from podstore.frontends.http.deps import ActorDep, CoreDep
from podstore.frontends.http.downloads import primed
from podstore.frontends.http.openapi import content, json_body, problems, raw_body
from podstore.frontends.native.express import ExpressRoute

router = APIRouter(tags=["kv"], responses=problems(401, 403, 404, 409, 507))
MAX_VALUE = 16 * 1024 * 1024
MAX_JSON = 64 * 1024 * 1024
MAX_IMPORT = 1024 * 1024 * 1024


class TableCreate(BaseModel):
    name: str = Field(max_length=1024)
    index_type: Literal["string", "number", "bytes"] = "string"


class BatchItem(BaseModel):
    key: str = Field(min_length=1, max_length=4096)
    value: str | None = None
    value_b64: str | None = None

    def raw(self) -> bytes:
        if self.value_b64 is not None:
            try:
                return base64.b64decode(self.value_b64, validate=True)
            except (binascii.Error, ValueError):
                raise Invalid(f"value_b64 of {self.key!r} is not base64") from None
        if self.value is None:
            raise Invalid(f"{self.key!r} needs value or value_b64")
        return self.value.encode("utf-8")


class Batch(BaseModel):
    items: list[BatchItem] = Field(max_length=100_000)


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise Invalid("the body is not valid JSON") from None


async def json_model(request: Request, model: type[Any]) -> Any:
    """Parse and validate a JSON body ourselves, so bad input is always a 4xx."""
    try:
        return model.model_validate(parse_json(await read_body(request, MAX_JSON)))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise Invalid(
            f"{where}: {first.get('msg', 'invalid')}" if where else "invalid body"
        ) from None


def _item(entry: KvEntry) -> dict[str, Any]:
    return {"key": entry.key, "value_b64": base64.b64encode(entry.value).decode()}


@router.get("/pods/{pod}/kv")
async def list_tables(pod: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"tables": [asdict(t) for t in await core.kv.tables(actor, pod)]}


@router.post("/pods/{pod}/kv", status_code=201, openapi_extra=json_body(TableCreate))
async def create_table(pod: str, request: Request, actor: ActorDep, core: CoreDep) -> Any:
    body: TableCreate = await json_model(request, TableCreate)
    return asdict(await core.kv.create(actor, pod, body.name, body.index_type))


@router.delete("/pods/{pod}/kv/{table}", status_code=204)
async def delete_table(pod: str, table: str, actor: ActorDep, core: CoreDep) -> None:
    await core.kv.delete_table(actor, pod, table)


@router.get(
    "/pods/{pod}/kv/{table}",
    response_model=None,
    responses={
        200: content(
            "A page of entries, or with `format` the range as a file",
            "application/json",
            "text/csv",
            "application/x-ndjson",
        )
    },
)
async def scan(
    pod: str,
    table: str,
    actor: ActorDep,
    core: CoreDep,
    start: str | None = Query(None, max_length=4096),
    end: str | None = Query(None, max_length=4096),
    limit: int = Query(100, ge=1, le=10_000),
    cursor: str | None = Query(None, max_length=4096),
    format: Literal["csv", "jsonl"] | None = None,
) -> Any:
    """A page of entries with start <= key < end; with `format`, the whole range as a file."""
    if format is not None:
        lines = await core.kv.export(actor, pod, table, format, start, end)
        kind = "text/csv" if format == "csv" else "application/x-ndjson"
        return StreamingResponse(await primed(lines), media_type=f"{kind}; charset=utf-8")
    page = await core.kv.scan(actor, pod, table, start, end, limit, cursor)
    return {"items": [_item(e) for e in page.entries], "next": page.next}


@router.post("/pods/{pod}/kv/{table}/count")
async def count(pod: str, table: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"table": table, "count": await core.kv.count(actor, pod, table)}


@router.post("/pods/{pod}/kv/{table}/batch", openapi_extra=json_body(Batch))
async def batch(
    pod: str, table: str, request: Request, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    body: Batch = await json_model(request, Batch)
    items = [(item.key, item.raw()) for item in body.items]
    return {"stored": await core.kv.put_many(actor, pod, table, items)}


@router.post(
    "/pods/{pod}/kv/{table}/import", openapi_extra=raw_body("application/x-ndjson", "text/csv")
)
async def import_file(
    pod: str,
    table: str,
    request: Request,
    actor: ActorDep,
    core: CoreDep,
    format: Literal["csv", "jsonl"] = "jsonl",
    mode: Literal["atomic", "rows"] = "atomic",
) -> dict[str, Any]:
    """Load a CSV (header row; first column is the key) or JSON-lines body."""
    data = await read_body(request, MAX_IMPORT)
    return asdict(await core.kv.import_data(actor, pod, table, data, format, mode))


ENTRY = "/pods/{pod}/kv/{table}/{key:path}"
ENTRY_CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "a new key"},
    200: {"description": "a key replaced"},
}


@router.put(
    ENTRY,
    status_code=201,
    response_model=None,
    responses=ENTRY_CREATED,
    openapi_extra=raw_body("application/octet-stream", required=False),
)
async def put(
    pod: str, table: str, key: str, request: Request, actor: ActorDep, core: CoreDep
) -> Response:
    value = await read_body(request, MAX_VALUE)
    created = await core.kv.put(actor, pod, table, key, value)
    return JSONResponse({"key": key, "created": created}, status_code=201 if created else 200)


@router.get(
    ENTRY,
    response_model=None,
    response_class=Response,
    responses={200: content("The value", "application/octet-stream")},
)
async def get(pod: str, table: str, key: str, actor: ActorDep, core: CoreDep) -> Response:
    value = await core.kv.get(actor, pod, table, key)
    return Response(value, media_type="application/octet-stream")


@router.head(
    ENTRY,
    response_model=None,
    response_class=Response,
    responses={200: {"description": "The key is there"}, 404: {"description": "It is not"}},
)
async def present(pod: str, table: str, key: str, actor: ActorDep, core: CoreDep) -> Response:
    found = await core.kv.present(actor, pod, table, key)
    return Response(status_code=200 if found else 404)


@router.delete(ENTRY, status_code=204, response_model=None)
async def delete(pod: str, table: str, key: str, actor: ActorDep, core: CoreDep) -> Response:
    await core.kv.delete(actor, pod, table, key)
    return Response(status_code=204)


EXPRESS = [
    ExpressRoute(method, f"/api/v1{ENTRY}", endpoint)
    for method, endpoint in (("PUT", put), ("GET", get), ("HEAD", present), ("DELETE", delete))
]
