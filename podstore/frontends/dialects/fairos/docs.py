"""Document databases: new (`si` indexes), ls, open, count, find (FairOS expressions, default
limit 10), delete; entries put/get/del; loadjson (JSON lines) and indexjson."""

from __future__ import annotations

import base64
import json
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.frontends.dialects.fairos.calls import Call, endpoint
from podstore.frontends.dialects.fairos.envelope import respond
from podstore.frontends.dialects.fairos.errors import FairError
from podstore.frontends.dialects.fairos.pods import open_pod
from podstore.frontends.dialects.fairos.session import opened, save

NO_DB = "document db not present"
INDEX_CODES = {"string": 2, "number": 3, "map": 4, "list": 5}  # FairOS's index type enum
MAX_JSON = 64 * 1024 * 1024


def table_field(call: Call) -> str:
    return call.get("tableName", "name")


async def open_db(call: Call) -> tuple[str, str]:
    pod, table = await open_pod(call), table_field(call)
    if f"{pod}/{table}" not in (await opened(call))["docs"]:
        raise FairError(400, "document db not opened")
    return pod, table


def encoded(doc: Any) -> str:
    return base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()


async def new(call: Call) -> Response:
    pod, table = await open_pod(call), table_field(call)
    immutable = not call.flag("mutable", True)
    try:
        await call.core.docs.create(
            await call.actor(), pod, table, call.get("si", default=""), immutable=immutable
        )
    except Conflict:
        raise FairError(400, "document db already present") from None
    except Invalid as exc:
        text = 'invalid "indexType"' if "indexType" in exc.detail else '"si" invalid argument'
        raise FairError(400, text) from None
    return respond(call.generation.message("document db created", 201), 201)


async def ls(call: Call) -> Response:
    pod = await open_pod(call)
    found = await call.core.docs.collections(await call.actor(), pod)
    tables = [
        call.generation.shape(
            ("tableName", "table_name", c.name),
            (
                "indexes",
                "indexes",
                [
                    {"name": i.get("name") or i.get("field"), "type": INDEX_CODES[i["type"]]}
                    for i in c.indexes
                ],
            ),
            ("type", "type", "Document Store"),
        )
        for c in found
    ]
    return respond({"tables": tables})


async def open_(call: Call) -> Response:
    pod, table = await open_pod(call), table_field(call)
    await call.core.docs.stat(await call.actor(), pod, table)
    state = await opened(call)
    state["docs"] = [t for t in state["docs"] if t != f"{pod}/{table}"] + [f"{pod}/{table}"]
    await save(call, state)
    return respond(call.generation.message("document store opened", 200))


async def count(call: Call) -> Response:
    pod, table = await open_db(call)
    expr = call.get("expr", default="") or None
    total = await call.core.docs.count(await call.actor(), pod, table, expr=expr)
    return respond({"count": total} | call.generation.shape(("tableName", "table_name", table)))


async def find(call: Call) -> Response:
    pod, table = await open_db(call)
    expr = call.get("expr", default="") or None
    limit_text = call.get("limit", default="10")
    if not limit_text.isdigit() or int(limit_text) < 1:
        raise FairError(400, "invalid limit")
    page = await call.core.docs.find(
        await call.actor(), pod, table, expr=expr, limit=min(int(limit_text), 1000)
    )
    return respond({"docs": [encoded(doc) for doc in page.docs]})


async def delete(call: Call) -> Response:
    pod, table = await open_pod(call), table_field(call)
    await call.core.docs.delete_collection(await call.actor(), pod, table)
    return respond(call.generation.message("document store deleted", 200))


async def put(call: Call) -> Response:
    pod, table = await open_db(call)
    try:
        doc = json.loads(call.get("doc"))
    except ValueError:
        raise FairError(400, "invalid json data") from None
    try:
        await call.core.docs.put(await call.actor(), pod, table, doc)
    except Conflict as exc:
        if "immutable" not in exc.detail:
            raise
        raise FairError(400, "trying to modify immutable document db") from None
    return respond(call.generation.message("added document to db", 200))


async def get(call: Call) -> Response:
    pod, table = await open_db(call)
    try:
        doc = await call.core.docs.get(await call.actor(), pod, table, call.get("id"))
    except NotFound as exc:
        if exc.detail.startswith("no document"):
            raise FairError(404, "document not present") from None
        raise
    return respond({"doc": encoded(doc)})


async def delete_entry(call: Call) -> Response:
    pod, table = await open_db(call)
    try:
        await call.core.docs.delete(await call.actor(), pod, table, call.get("id"))
    except NotFound as exc:
        if exc.detail.startswith("no document"):
            raise FairError(404, "document not present") from None
        raise
    return respond(call.generation.message("deleted document from db", 200))


def _loaded(call: Call, table: str, total: int, loaded: int, failed: int) -> Response:
    text = (
        f"json file loaded in to document db ({table}) with total:{total}, "
        f"success: {loaded}, failure: {failed} rows"
    )
    return respond(call.generation.message(text, 200))


async def load_json(call: Call) -> Response:
    data = await call.form_file(MAX_JSON)
    pod, table = await open_db(call)
    report = await call.core.docs.import_lines(await call.actor(), pod, table, data, mode="rows")
    return _loaded(call, table, report.total, report.loaded, report.failed)


async def index_json(call: Call) -> Response:
    pod, table = await open_db(call)
    path = call.get("fileName", "file")
    await call.core.docs.index_file(await call.actor(), pod, table, path, mode="rows")
    return respond(call.generation.message("indexing started", 200))


def routes() -> list[Route]:
    v1 = [
        ("/new", "doc create", new, "json", "POST"),
        ("/ls", "doc ls", ls, "none", "GET"),
        ("/open", "doc open", open_, "json", "POST"),
        ("/count", "doc count", count, "json", "POST"),
        ("/delete", "doc delete", delete, "json", "DELETE"),
        ("/find", "doc find", find, "none", "GET"),
        ("/entry/put", "doc put", put, "json", "POST"),
        ("/entry/get", "doc get", get, "none", "GET"),
        ("/entry/del", "doc del", delete_entry, "json", "DELETE"),
        ("/loadjson", "doc loadjson", load_json, "none", "POST"),
        ("/indexjson", "doc indexjson", index_json, "json", "POST"),
    ]
    v0 = [
        ("/new", "doc create", new, "form", "POST"),
        ("/ls", "doc ls", ls, "form", "POST"),
        ("/open", "doc open", open_, "form", "POST"),
        ("/count", "doc count", count, "form", "POST"),
        ("/delete", "doc delete", delete, "form", "DELETE"),
        ("/find", "doc find", find, "form", "POST"),
        ("/entry/put", "doc put", put, "form", "POST"),
        ("/entry/get", "doc get", get, "form", "GET"),
        ("/entry/del", "doc del", delete_entry, "form", "DELETE"),
        ("/loadjson", "doc loadjson", load_json, "none", "POST"),
        ("/indexjson", "doc indexjson", index_json, "form", "POST"),
    ]
    return [
        Route(f"/{version}/doc{path}", endpoint(op, handler, body, NO_DB), methods=[method])
        for version, table in (("v1", v1), ("v0", v0))
        for path, op, handler, body, method in table
    ]
