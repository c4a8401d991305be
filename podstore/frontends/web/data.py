"""Key-value tables and document collections in the browser: list them, page through a
table's entries from a key, run a find on a collection (a filter or a FairOS expression),
and add, change or delete an entry or a document."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from podstore.core.errors import Invalid
from podstore.frontends.web.actions import Done, action
from podstore.frontends.web.render import render
from podstore.frontends.web.session import Viewer, core_of, require_viewer

PAGE = 100


def shown(value: bytes) -> tuple[str, bool]:
    """A value as text when it is UTF-8, else as hex; and whether it was text."""
    try:
        return value.decode("utf-8"), True
    except UnicodeDecodeError:
        return value.hex(" "), False


def json_of(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Invalid(f"the {what} is not valid JSON: {exc}") from None


async def overview(request: Request) -> Response:
    viewer = await require_viewer(request)
    core, pod = core_of(request), request.path_params["pod"]
    context = {
        "pod": pod,
        "tables": await core.kv.tables(viewer.actor, pod),
        "collections": await core.docs.collections(viewer.actor, pod),
    }
    return render(request, "data.html", context)


async def table(request: Request) -> Response:
    viewer = await require_viewer(request)
    core, pod, name = core_of(request), request.path_params["pod"], request.path_params["table"]
    start = request.query_params.get("start") or None
    page = await core.kv.scan(
        viewer.actor, pod, name, start=start, limit=PAGE, cursor=request.query_params.get("cursor")
    )
    entries = [(e.key, *shown(e.value)) for e in page.entries]
    context = {"pod": pod, "table": name, "entries": entries, "next": page.next, "start": start}
    return render(request, "kv_table.html", context)


async def collection(request: Request) -> Response:
    viewer = await require_viewer(request)
    core, pod, name = core_of(request), request.path_params["pod"], request.path_params["coll"]
    query, expr = request.query_params.get("filter", ""), request.query_params.get("expr", "")
    found = await core.docs.find(
        viewer.actor,
        pod,
        name,
        json_of(query, "filter") if query.strip() else None,
        expr.strip() or None,
        limit=PAGE,
        cursor=request.query_params.get("cursor"),
    )
    docs = [(str(d.get("_id", d.get("id", ""))), json.dumps(d, indent=2)) for d in found.docs]
    context = {
        "pod": pod,
        "coll": name,
        "docs": docs,
        "next": found.next,
        "filter": query,
        "expr": expr,
    }
    return render(request, "doc_collection.html", context)


@action
async def create_table(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    kind = form.get("index_type", "string")
    await core_of(request).kv.create(viewer.actor, request.path_params["pod"], form["name"], kind)
    return Done(f"Table {form['name']} created.")


@action
async def create_collection(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    indexes = form.get("indexes", "").strip() or None
    await core_of(request).docs.create(
        viewer.actor, request.path_params["pod"], form["name"], indexes
    )
    return Done(f"Collection {form['name']} created.")


@action
async def put_entry(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    pod = request.path_params["pod"]
    value = form.get("value", "").encode("utf-8")
    await core_of(request).kv.put(viewer.actor, pod, form["table"], form["key"], value)
    return Done(f"Saved {form['key']}.")


@action
async def delete_entry(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    pod = request.path_params["pod"]
    await core_of(request).kv.delete(viewer.actor, pod, form["table"], form["key"])
    return Done(f"Deleted {form['key']}.")


@action
async def put_doc(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    doc = json_of(form.get("doc", ""), "document")
    stored = await core_of(request).docs.put(
        viewer.actor, request.path_params["pod"], form["coll"], doc
    )
    return Done(f"{'Added' if stored.created else 'Replaced'} document {stored.id}.")


@action
async def delete_doc(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    pod = request.path_params["pod"]
    await core_of(request).docs.delete(viewer.actor, pod, form["coll"], form["id"])
    return Done(f"Deleted document {form['id']}.")


ROUTES = [
    Route("/data/{pod}", overview, methods=["GET"]),
    Route("/data/{pod}/kv/{table}", table, methods=["GET"]),
    Route("/data/{pod}/docs/{coll}", collection, methods=["GET"]),
    Route("/act/{pod}/kv-create", create_table, methods=["POST"]),
    Route("/act/{pod}/docs-create", create_collection, methods=["POST"]),
    Route("/act/{pod}/kv-put", put_entry, methods=["POST"]),
    Route("/act/{pod}/kv-delete", delete_entry, methods=["POST"]),
    Route("/act/{pod}/doc-put", put_doc, methods=["POST"]),
    Route("/act/{pod}/doc-delete", delete_doc, methods=["POST"]),
]
