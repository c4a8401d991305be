"""Folders and the tree: list, stat, mkdir, move, copy, trash, favourites, search by name,
and a selection as one zip."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from podstore.frontends.http.archives import zip_response
from podstore.frontends.http.deps import ActorDep, CoreDep
from podstore.frontends.http.openapi import content, problems
from podstore.frontends.native import shapes_tree as shape

router = APIRouter(tags=["tree"], responses=problems(401, 403, 404, 409, 507))


class FromTo(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    source: str = Field(alias="from", max_length=64 * 1024)
    to: str = Field(max_length=64 * 1024)


# documented as the dict it was; sent as the bytes the core rendered (`shape.NODE_FIELDS`)
@router.get("/pods/{pod}/list", response_model=dict[str, Any])
@router.get("/pods/{pod}/list/{path:path}", response_model=dict[str, Any])
async def list_folder(
    pod: str,
    actor: ActorDep,
    core: CoreDep,
    path: str = "",
    sort: Literal["name", "size", "modified", "type"] = "name",
    order: Literal["asc", "desc"] = "asc",
    limit: int = Query(1000, ge=1, le=10_000),
    cursor: str | None = Query(None, max_length=4096),
) -> Response:
    page = await core.tree.list_rendered(
        actor, pod, path, shape.NODE_FIELDS, sort=sort, order=order, limit=limit, cursor=cursor
    )
    return Response(shape.rendered_listing(page), media_type="application/json")


@router.get("/pods/{pod}/stat/{path:path}")
async def stat(pod: str, path: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.stat(await core.tree.stat(actor, pod, path))


@router.post("/pods/{pod}/mkdir/{path:path}", status_code=201)
async def mkdir(
    pod: str, path: str, actor: ActorDep, core: CoreDep, parents: bool = False
) -> dict[str, Any]:
    return shape.node(await core.tree.mkdir(actor, pod, path, parents))


@router.post("/pods/{pod}/move")
async def move(pod: str, body: FromTo, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.node(await core.tree.move(actor, pod, body.source, body.to))


@router.post("/pods/{pod}/copy", status_code=201)
async def copy(pod: str, body: FromTo, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.node(await core.tree.copy(actor, pod, body.source, body.to))


@router.get("/pods/{pod}/trash")
async def trash(pod: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"entries": [shape.trashed(n) for n in await core.tree.trash(actor, pod)]}


@router.post("/pods/{pod}/trash/{node_id}/restore")
async def restore(pod: str, node_id: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.with_path(await core.tree.restore(actor, pod, node_id))


@router.delete("/pods/{pod}/trash/{node_id}")
async def purge(pod: str, node_id: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"purged": await core.tree.purge(actor, pod, node_id)}


@router.delete("/pods/{pod}/trash")
async def empty_trash(pod: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"purged": await core.tree.purge(actor, pod)}


@router.put("/pods/{pod}/star/{path:path}")
async def star(pod: str, path: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.node(await core.tree.star(actor, pod, path, True))


@router.delete("/pods/{pod}/star/{path:path}")
async def unstar(pod: str, path: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.node(await core.tree.star(actor, pod, path, False))


@router.get("/starred")
async def starred(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"entries": [shape.starred(n) for n in await core.tree.starred(actor)]}


@router.get("/pods/{pod}/search")
async def search(
    pod: str,
    actor: ActorDep,
    core: CoreDep,
    q: str = Query(min_length=1, max_length=255),
    limit: int = Query(100, ge=1, le=500),
) -> dict[str, Any]:
    """Files and folders whose name contains `q` (any case), anywhere in the pod or share."""
    return {"entries": [shape.stat(n) for n in await core.tree.search(actor, pod, q, limit)]}


@router.get(
    "/pods/{pod}/zip",
    response_class=Response,
    responses={200: content("The selection as one zip archive, streamed", "application/zip")},
)
async def download_zip(
    pod: str,
    actor: ActorDep,
    core: CoreDep,
    path: list[str] = Query(min_length=1, max_length=1000),
    name: str = Query("download.zip", max_length=255),
) -> Response:
    """Files and folders (each `path`, relative to the pod or share) as one streamed zip."""
    return await zip_response(core, actor, pod, path, name)
