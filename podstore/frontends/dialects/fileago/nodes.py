"""`/api/nodes/<ref>` (details, path, dirlist, myaccess, the multiplexed POST, DELETE, the
upload token) and `/api/groups`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response

from podstore.core.errors import Invalid, NotFound, PermissionDenied
from podstore.core.service import Core
from podstore.frontends.dialects.fileago import shapes
from podstore.frontends.dialects.fileago.auth import FileAgoActor
from podstore.frontends.dialects.fileago.listings import folder_entries, pseudo_entries
from podstore.frontends.dialects.fileago.places import (
    PSEUDO,
    Target,
    child,
    drive,
    folder,
    node,
    parse_ref,
    target,
    uuid_of,
)
from podstore.frontends.http.bodies import read_body
from podstore.frontends.http.deps import CoreDep

router = APIRouter()
ACTIONS = ("new_dir", "new_name", "starred", "copy_to", "move_to", "share_copy_with")


@router.get("/api/nodes/{ref}")
async def details(ref: str, actor: FileAgoActor, core: CoreDep) -> dict[str, Any]:
    parsed = parse_ref(ref)
    if parsed.pseudo is None:
        found = await node(core, actor, parsed.id)
        return shapes.ok("Node info fetched successfully", shapes.details(found.info))
    home = await drive(core, actor, parsed.id)
    root = await core.sharing.node_info(actor, home.scope, "")
    label = home.label if parsed.pseudo == "home" else PSEUDO[parsed.pseudo]
    info = shapes.details(root, name=label, uuid=str(parsed))
    return shapes.ok("Node info fetched successfully", info)


@router.get("/api/nodes/{ref}/dirlist")
async def dirlist(ref: str, actor: FileAgoActor, core: CoreDep) -> dict[str, Any]:
    parsed = parse_ref(ref)
    if parsed.pseudo is not None:
        entries = await pseudo_entries(core, actor, parsed)
    else:
        found = await node(core, actor, parsed.id)
        if found.info.node.kind != "dir":
            raise Invalid("this node is a file, not a folder")
        entries = await folder_entries(core, actor, found.scope, found.path)
    return shapes.ok("Directory contents fetched successfully", entries)


@router.get("/api/nodes/{ref}/path")
async def path(ref: str, actor: FileAgoActor, core: CoreDep) -> dict[str, Any]:
    parsed = parse_ref(ref)
    if parsed.pseudo is not None:
        label = PSEUDO[parsed.pseudo]
        if parsed.pseudo == "home" and parsed.id:
            label = (await drive(core, actor, parsed.id)).label
        return shapes.ok("Node path fetched successfully", [{"name": label, "uuid": str(parsed)}])
    found = await node(core, actor, parsed.id)
    steps = [await _top(core, actor, found)]
    parts = [p for p in found.path.split("/") if p]
    for depth in range(1, len(parts) + 1):
        step = await core.sharing.node_info(actor, found.scope, "/".join(parts[:depth]))
        steps.append({"name": step.node.name, "uuid": step.node.id})
    return shapes.ok("Node path fetched successfully", steps)


async def _top(core: Core, actor: Any, found: Target) -> dict[str, str]:
    """The top-level folder a node's path starts from, as the user sees it."""
    root = await core.sharing.node_info(actor, found.scope, "")
    owner = root.owner
    if root.scope.startswith("share:"):
        return {"name": PSEUDO["shared_with_you"], "uuid": "shared_with_you"}
    if owner is not None and owner.kind == "group":
        return {"name": owner.name, "uuid": f"home:{owner.id}"}
    settings = core.settings.frontends.fileago
    if owner is not None and owner.id == actor.user_id and root.scope == settings.home_pod:
        return {"name": PSEUDO["home"], "uuid": "home"}
    if owner is not None and owner.id == actor.user_id and root.scope == settings.incoming_pod:
        return {"name": PSEUDO["incoming"], "uuid": "incoming"}
    return {"name": root.scope, "uuid": root.node.id}


@router.get("/api/nodes/{ref}/myaccess")
async def myaccess(ref: str, actor: FileAgoActor, core: CoreDep) -> dict[str, Any]:
    found = await target(core, actor, parse_ref(ref))
    granted = shapes.access_list(found.info.access, found.info.no_download)
    return shapes.ok("Access rights fetched successfully", granted)


@router.get("/api/nodes/{ref}/upload")
async def upload_token(ref: str, actor: FileAgoActor, core: CoreDep) -> dict[str, Any]:
    found = await target(core, actor, parse_ref(ref))
    if shapes.LEVELS.get(found.info.access, 0) < 2:
        raise PermissionDenied("you cannot upload here")
    seconds = core.settings.frontends.fileago.upload_token_seconds
    token = await core.accounts.issue_key(actor, f"upload:{found.info.node.id}", seconds)
    return {
        "token": token,
        "status": "success",
        "msg": f"This token is valid for next {seconds:g} seconds only",
    }


@router.post("/api/nodes/{ref}", status_code=204)
async def change(ref: str, request: Request, actor: FileAgoActor, core: CoreDep) -> Response:
    parsed = parse_ref(ref)
    body = await read_body(request, core.settings.max_json_body)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("", "application/json", "application/x-www-form-urlencoded", "text/plain"):
        raise Invalid("send the parameters as a JSON object")
    try:
        params = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise Invalid("the body is not JSON") from None
    if not isinstance(params, dict):
        raise Invalid("send the parameters as a JSON object")
    unknown = sorted(set(params) - set(ACTIONS))
    if unknown or len(params) != 1:
        raise Invalid(f"send exactly one of {', '.join(ACTIONS)}; got {', '.join(params)}")
    action, value = next(iter(params.items()))
    found = await target(core, actor, parsed)
    await _act(core, actor, found, action, value)
    return Response(status_code=204)


def _string(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{key} must be a string")
    return value


async def _act(core: Core, actor: Any, found: Target, action: str, value: Any) -> None:
    scope, here = found.scope, found.path
    if action == "new_dir":
        if found.info.node.kind != "dir":
            raise Invalid("a folder can only be made inside a folder")
        await core.tree.mkdir(actor, scope, child(here, _string(value, action)))
    elif action == "starred":
        if not isinstance(value, bool):
            raise Invalid("starred must be true or false")
        await core.tree.star(actor, scope, here, value)
    elif action == "share_copy_with":
        await _share_copy(core, actor, found, value)
    elif not here:
        raise Invalid("a top-level folder cannot be renamed, moved or copied")
    elif action == "new_name":
        parent = here.rpartition("/")[0]
        await core.tree.move(actor, scope, here, child(parent, _string(value, action)))
    else:
        into = await folder(core, actor, parse_ref(_string(value, action)))
        if into.scope != scope:
            raise Invalid("items move and copy within one drive (pod); share a copy instead")
        name = here.rpartition("/")[2]
        operation = core.tree.move if action == "move_to" else core.tree.copy
        await operation(actor, scope, here, child(into.path, name))


async def _share_copy(core: Core, actor: Any, found: Target, value: Any) -> None:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise Invalid("share_copy_with is a list of user or group UUIDs")
    names: set[str] = set()
    for target_id in (uuid_of(v, "user or group") for v in value):
        try:
            names.add(await core.accounts.name_of(target_id))
        except NotFound:
            group = await core.groups.get(actor, target_id)  # NotFound: no such user or group
            names.update(m.name for m in group.members if m.name != actor.name)
    for name in sorted(names):
        await core.offers.share_copy(actor, found.scope, found.path, name)


@router.delete("/api/nodes/{ref}", status_code=204)
async def delete(ref: str, actor: FileAgoActor, core: CoreDep) -> Response:
    parsed = parse_ref(ref)
    if parsed.pseudo is not None:
        raise Invalid(f"{PSEUDO[parsed.pseudo]} cannot be deleted")
    found = await node(core, actor, parsed.id)
    if not found.path:
        raise Invalid("a top-level folder cannot be deleted")
    await core.tree.delete(actor, found.scope, found.path)
    return Response(status_code=204)


@router.get("/api/groups")
async def groups(actor: FileAgoActor, core: CoreDep) -> dict[str, Any]:
    mine = await core.groups.list(actor)
    data = [{"group_name": g.name, "group_uuid": g.id} for g in mine]
    return shapes.ok("Groups fetched successfully", data)
