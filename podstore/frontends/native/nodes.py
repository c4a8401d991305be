"""Nodes by their stable id, for anyone who can see them: members and grantees alike."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response

from podstore.core.errors import Invalid
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.deps import ActorDep, CoreDep
from podstore.frontends.http.downloads import serve
from podstore.frontends.http.openapi import DOWNLOAD, problems, raw_body
from podstore.frontends.native import shapes_sharing
from podstore.frontends.native import shapes_tree as shape
from podstore.frontends.native.files import UPLOADED, conditions_of, declared_type, size_hint

router = APIRouter(tags=["nodes"], responses=problems(401, 403, 404, 409, 412, 507))


@router.get("/nodes/{node_id}")
async def stat(node_id: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    scope, path = await core.sharing.locate(actor, node_id)
    return shapes_sharing.scoped(await core.sharing.node_info(actor, scope, path))


@router.get("/nodes/{node_id}/content", **DOWNLOAD)
async def download(
    node_id: str, request: Request, actor: ActorDep, core: CoreDep, version: str | None = None
) -> Response:
    scope, path = await core.sharing.locate(actor, node_id)
    return await serve(await core.files.open(actor, scope, path, version), request, core)


@router.put(
    "/nodes/{node_id}/content", openapi_extra=raw_body("application/octet-stream", required=False)
)
async def upload(node_id: str, request: Request, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    scope, path = await core.sharing.locate(actor, node_id)
    info = await core.sharing.node_info(actor, scope, path)
    if info.node.kind != "file":
        raise Invalid("this node is a folder: upload into it with PUT …/children/{name}")
    result = await core.files.upload(
        actor,
        scope,
        path,
        body_of(request),
        content_type=declared_type(request),
        conditions=conditions_of(request),
        size_hint=size_hint(request),
    )
    return shape.written(result)


@router.get("/nodes/{node_id}/children", response_model=dict[str, Any])
async def children(
    node_id: str,
    actor: ActorDep,
    core: CoreDep,
    sort: Literal["name", "size", "modified", "type"] = "name",
    order: Literal["asc", "desc"] = "asc",
    limit: int = Query(1000, ge=1, le=10_000),
    cursor: str | None = Query(None, max_length=4096),
) -> Response:
    scope, path = await core.sharing.locate(actor, node_id)
    page = await core.tree.list_rendered(
        actor, scope, path, shape.NODE_FIELDS, sort=sort, order=order, limit=limit, cursor=cursor
    )
    return Response(shape.rendered_listing(page), media_type="application/json")


@router.put(
    "/nodes/{node_id}/children/{name}",
    status_code=201,
    responses=UPLOADED,
    openapi_extra=raw_body("application/octet-stream", required=False),
)
async def upload_child(
    node_id: str, name: str, request: Request, response: Response, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    scope, path = await core.sharing.locate(actor, node_id)
    result = await core.files.upload(
        actor,
        scope,
        f"{path}/{name}" if path else name,
        body_of(request),
        content_type=declared_type(request),
        conditions=conditions_of(request),
        size_hint=size_hint(request),
    )
    response.status_code = 201 if result.new_file else 200
    return shape.written(result)


@router.post("/nodes/{node_id}/folders/{name}", status_code=201)
async def mkdir(node_id: str, name: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    scope, path = await core.sharing.locate(actor, node_id)
    return shape.node(await core.tree.mkdir(actor, scope, f"{path}/{name}" if path else name))


@router.delete("/nodes/{node_id}")
async def delete(node_id: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    scope, path = await core.sharing.locate(actor, node_id)
    return shape.with_path(await core.tree.delete(actor, scope, path))
