"""Pods: list, create, stat, update, delete."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from podstore.frontends.http.deps import ActorDep, CoreDep
from podstore.frontends.http.openapi import problems
from podstore.frontends.native import shapes_tree as shape

router = APIRouter(tags=["pods"], responses=problems(401, 403, 404, 409, 507))
CompressionName = Literal["off", "fast", "strong"]


class PodCreate(BaseModel):
    name: str = Field(max_length=1024)
    compression: CompressionName | None = None
    versions_kept: int | None = None
    quota_bytes: int | None = None


class PodUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=1024)
    compression: CompressionName | None = None
    versions_kept: int | None = None
    quota_bytes: int | None = None


@router.get("/pods")
async def list_pods(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"pods": [shape.pod(p) for p in await core.pods.list(actor)]}


@router.post("/pods", status_code=201)
async def create_pod(body: PodCreate, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    created = await core.pods.create(
        actor, body.name, body.compression, body.versions_kept, body.quota_bytes
    )
    return shape.pod(created)


@router.get("/pods/{pod}")
async def stat_pod(pod: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.pod(await core.pods.stat(actor, pod))


@router.patch("/pods/{pod}")
async def update_pod(pod: str, body: PodUpdate, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.pod(await core.pods.update(actor, pod, **body.model_dump(exclude_unset=True)))


@router.delete("/pods/{pod}", status_code=204)
async def delete_pod(pod: str, actor: ActorDep, core: CoreDep) -> None:
    await core.pods.delete(actor, pod)
