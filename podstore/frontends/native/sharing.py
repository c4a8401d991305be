"""Sharing: groups, pod members and forks, grants, share references, copies, links, inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from podstore.frontends.http.deps import ActorDep, CoreDep
from podstore.frontends.http.openapi import problems
from podstore.frontends.native import shapes_sharing as shape
from podstore.frontends.native.shapes_tree import node

router = APIRouter(tags=["sharing"], responses=problems(401, 403, 404, 409, 507))
Name = Field(max_length=256)
Path = Field(default="", max_length=64 * 1024)


def epoch(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class GroupBody(BaseModel):
    name: str = Name


class MemberBody(BaseModel):
    user: str = Name
    role: Literal["viewer", "editor", "owner"] = "editor"


class RoleBody(BaseModel):
    role: Literal["viewer", "editor", "owner"]


class PodMemberBody(BaseModel):
    user: str | None = Field(default=None, max_length=256)
    group: str | None = Field(default=None, max_length=256)
    role: Literal["viewer", "editor", "owner"] = "viewer"


class ForkBody(BaseModel):
    name: str = Name


class ShareBody(BaseModel):
    path: str = Path
    user: str | None = Field(default=None, max_length=256)
    group: str | None = Field(default=None, max_length=256)
    level: Literal["read", "write", "delete"] = "read"
    expires_at: datetime | None = None
    no_download: bool = False


class LinkBody(BaseModel):
    path: str = Path
    password: str | None = Field(default=None, max_length=1024)
    expires_at: datetime | None = None
    max_downloads: int | None = Field(default=None, ge=1)
    upload_only: bool = False


class RefBody(BaseModel):
    path: str = Path
    user: str | None = Field(default=None, max_length=256)
    expires_at: datetime | None = None


class CopyBody(BaseModel):
    path: str = Path
    user: str = Name


class ReceiveBody(BaseModel):
    pod: str = Name
    path: str = Path


# -- groups --------------------------------------------------------------------------------


@router.get("/groups")
async def list_groups(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"groups": [shape.group(g) for g in await core.groups.list(actor)]}


@router.post("/groups", status_code=201)
async def create_group(body: GroupBody, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.group(await core.groups.create(actor, body.name))


@router.get("/groups/{group}")
async def get_group(group: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.group_detail(await core.groups.get(actor, group))


@router.patch("/groups/{group}")
async def rename_group(
    group: str, body: GroupBody, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    return shape.group_detail(await core.groups.rename(actor, group, body.name))


@router.delete("/groups/{group}", status_code=204)
async def delete_group(group: str, actor: ActorDep, core: CoreDep) -> None:
    await core.groups.delete(actor, group)


@router.post("/groups/{group}/members", status_code=201)
async def add_group_member(
    group: str, body: MemberBody, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    return shape.group_detail(await core.groups.add_member(actor, group, body.user, body.role))


@router.patch("/groups/{group}/members/{user}")
async def set_group_role(
    group: str, user: str, body: RoleBody, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    return shape.group_detail(await core.groups.set_role(actor, group, user, body.role))


@router.delete("/groups/{group}/members/{user}", status_code=204)
async def remove_group_member(group: str, user: str, actor: ActorDep, core: CoreDep) -> None:
    await core.groups.remove_member(actor, group, user)


@router.post("/groups/{group}/pods", status_code=201)
async def create_group_pod(
    group: str, body: GroupBody, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    return shape.pod_ref(await core.groups.create_pod(actor, group, body.name))


# -- pod members (pod share) and forks -------------------------------------------------------


@router.get("/pods/{pod}/members")
async def pod_members(pod: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"members": [shape.member(m) for m in await core.sharing.members(actor, pod)]}


@router.post("/pods/{pod}/members", status_code=201)
async def add_pod_member(
    pod: str, body: PodMemberBody, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    members = await core.sharing.add_member(
        actor, pod, user=body.user, group=body.group, role=body.role
    )
    return {"members": [shape.member(m) for m in members]}


@router.delete("/pods/{pod}/members/users/{user}", status_code=204)
async def remove_pod_user(pod: str, user: str, actor: ActorDep, core: CoreDep) -> None:
    await core.sharing.remove_member(actor, pod, user=user)


@router.delete("/pods/{pod}/members/groups/{group}", status_code=204)
async def remove_pod_group(pod: str, group: str, actor: ActorDep, core: CoreDep) -> None:
    await core.sharing.remove_member(actor, pod, group=group)


@router.post("/pods/{pod}/fork", status_code=201)
async def fork(pod: str, body: ForkBody, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.pod_ref(await core.sharing.fork(actor, pod, body.name))


# -- grants ----------------------------------------------------------------------------------


@router.post("/pods/{pod}/shares", status_code=201)
async def share(pod: str, body: ShareBody, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    grant = await core.sharing.share(
        actor,
        pod,
        body.path,
        user=body.user,
        group=body.group,
        level=body.level,
        expires_at=epoch(body.expires_at),
        no_download=body.no_download,
    )
    return shape.grant(grant)


@router.get("/shares/incoming")
async def incoming(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"shares": [shape.grant(g) for g in await core.sharing.incoming(actor)]}


@router.get("/shares/outgoing")
async def outgoing(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"shares": [shape.grant(g) for g in await core.sharing.outgoing(actor)]}


@router.delete("/shares/{share_id}", status_code=204)
async def revoke(share_id: str, actor: ActorDep, core: CoreDep) -> None:
    await core.sharing.revoke(actor, share_id)


# -- links -----------------------------------------------------------------------------------


@router.post("/pods/{pod}/links", status_code=201)
async def create_link(pod: str, body: LinkBody, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    link = await core.links.create(
        actor,
        pod,
        body.path,
        password=body.password,
        expires_at=epoch(body.expires_at),
        max_downloads=body.max_downloads,
        upload_only=body.upload_only,
    )
    return shape.new_link(link)


@router.get("/links")
async def list_links(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"links": [shape.link(k) for k in await core.links.list(actor)]}


@router.delete("/links/{link_id}", status_code=204)
async def revoke_link(link_id: str, actor: ActorDep, core: CoreDep) -> None:
    await core.links.revoke(actor, link_id)


# -- share references, copies, inbox and outbox ---------------------------------------------


@router.post("/pods/{pod}/share-refs", status_code=201)
async def create_ref(pod: str, body: RefBody, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    ref = await core.offers.create_ref(
        actor, pod, body.path, user=body.user, expires_at=epoch(body.expires_at)
    )
    return shape.new_ref(ref)


@router.get("/share-refs/{ref}")
async def ref_info(ref: str, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.offer(await core.offers.info(actor, ref))


@router.post("/share-refs/{ref}/receive", status_code=201)
async def receive_ref(
    ref: str, body: ReceiveBody, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    return node(await core.offers.receive(actor, body.pod, body.path, ref=ref))


@router.post("/pods/{pod}/share-copy", status_code=201)
async def share_copy(pod: str, body: CopyBody, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shape.offer(await core.offers.share_copy(actor, pod, body.path, body.user))


@router.get("/inbox")
async def inbox(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {
        "shares": [shape.grant(g) for g in await core.sharing.incoming(actor)],
        "offers": [shape.offer(o) for o in await core.offers.inbox(actor)],
    }


@router.get("/outbox")
async def outbox(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {
        "shares": [shape.grant(g) for g in await core.sharing.outgoing(actor)],
        "offers": [shape.offer(o) for o in await core.offers.outbox(actor)],
        "links": [shape.link(k) for k in await core.links.list(actor)],
    }


@router.post("/inbox/{offer_id}/receive", status_code=201)
async def receive_copy(
    offer_id: str, body: ReceiveBody, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    return node(await core.offers.receive(actor, body.pod, body.path, offer_id=offer_id))


@router.delete("/offers/{offer_id}", status_code=204)
async def delete_offer(offer_id: str, actor: ActorDep, core: CoreDep) -> None:
    await core.offers.delete(actor, offer_id)
