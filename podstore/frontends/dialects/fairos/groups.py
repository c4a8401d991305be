"""Groups (v0.10): shared drives. A FairOS group is a podstore group with one pod of the
same name (`<group>:<group>`), which dir and file routes reach with `groupName` in place of
`podName`. Permission 1 (read) is the viewer role, 2 (write) the editor role; the owner
answers 3. An invite adds the member at once; its reference is the group's id, which the
member "accepts" by proving they are in it."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from podstore.core.errors import Conflict, NotFound
from podstore.frontends.dialects.fairos.calls import Call, endpoint
from podstore.frontends.dialects.fairos.envelope import respond
from podstore.frontends.dialects.fairos.errors import FairError
from podstore.frontends.dialects.fairos.session import set_pod

ROLE_OF = {1: "viewer", 2: "editor"}
PERMISSION_OF = {"viewer": 1, "editor": 2, "owner": 3}
NO_GROUP = "group does not exist"


def group_pod(group: str) -> str:
    """The pod reference of a FairOS group's drive."""
    return f"{group}:{group}"


def _group(call: Call) -> str:
    return call.get("groupName")


async def _member_name(call: Call) -> str:
    who = call.get("member")
    name = await call.core.accounts.name_at(who) if who.startswith("0x") else who
    if not name or not await call.core.accounts.present(name):
        raise FairError(400, "invalid member")
    return name


def _role(call: Call) -> str:
    value = call.raw("permission")
    number = int(value) if isinstance(value, int | str) and str(value).isdigit() else 0
    if number not in ROLE_OF:
        raise FairError(400, "invalid permission")
    return ROLE_OF[number]


async def new(call: Call) -> Response:
    group, actor = _group(call), await call.actor()
    try:
        await call.core.groups.create(actor, group)
    except Conflict:
        raise FairError(400, "group already exists") from None
    await call.core.groups.create_pod(actor, group, group)
    await set_pod(call, group_pod(group), True)
    return respond(call.generation.message("group created successfully", 201), 201)


async def open_(call: Call) -> Response:
    group = _group(call)
    await call.core.groups.get(await call.actor(), group)
    await set_pod(call, group_pod(group), True)
    return respond(call.generation.message("group opened successfully", 200))


async def close(call: Call) -> Response:
    await set_pod(call, group_pod(_group(call)), False)
    return respond(call.generation.message("group closed successfully", 200))


async def invite(call: Call) -> Response:
    group, actor = _group(call), await call.actor()
    member, role = await _member_name(call), _role(call)
    try:
        detail = await call.core.groups.add_member(actor, group, member, role)
    except Conflict:
        detail = await call.core.groups.set_role(actor, group, member, role)
    return respond({"invite": detail.group.id.replace("-", "")})


async def accept(call: Call) -> Response:
    reference = call.get("reference")
    if len(reference) != 32 or not all(c in "0123456789abcdef" for c in reference):
        raise FairError(400, "invalid reference")
    group_id = "-".join(
        (reference[:8], reference[8:12], reference[12:16], reference[16:20], reference[20:])
    )
    try:
        await call.core.groups.get(await call.actor(), group_id)
    except NotFound:
        raise FairError(404, "invite not found") from None
    return respond(call.generation.message("group invite accepted", 200))


async def remove(call: Call) -> Response:
    await call.core.groups.remove_member(await call.actor(), _group(call), await _member_name(call))
    return respond(call.generation.message("member removed successfully", 200))


async def update_permission(call: Call) -> Response:
    group, member, role = _group(call), await _member_name(call), _role(call)
    await call.core.groups.set_role(await call.actor(), group, member, role)
    return respond(call.generation.message("permission updated successfully", 200))


async def delete(call: Call) -> Response:
    group = _group(call)
    await call.core.groups.delete(await call.actor(), group)
    await set_pod(call, group_pod(group), False)
    return respond(call.generation.message("group deleted successfully", 200))


async def leave(call: Call) -> Response:
    actor = await call.actor()
    await call.core.groups.remove_member(actor, _group(call), actor.name)
    await set_pod(call, group_pod(_group(call)), False)
    return respond(call.generation.message("group deleted successfully", 200))


async def ls(call: Call) -> Response:
    found = await call.core.groups.list(await call.actor())
    owned = [{"name": g.name} for g in found if g.role == "owner"]
    shared = [{"name": g.name} for g in found if g.role != "owner"]
    return respond({"groups": owned, "sharedGroups": shared})


async def members(call: Call) -> Response:
    detail = await call.core.groups.get(await call.actor(), _group(call))
    out: dict[str, int] = {}
    for member in detail.members:
        address = await call.core.accounts.address_of_name(member.name) or member.name
        out[address] = PERMISSION_OF.get(member.role, 0)
    return respond({"members": out})


async def permission(call: Call) -> Response:
    detail = await call.core.groups.get(await call.actor(), _group(call))
    return respond({"permission": PERMISSION_OF.get(detail.group.role, 0)})


def routes() -> list[Route]:
    table = [
        ("/new", "group new", new, "json", "POST"),
        ("/open", "group open", open_, "json", "POST"),
        ("/close", "group close", close, "json", "POST"),
        ("/invite", "group invite", invite, "json", "POST"),
        ("/accept", "group accept", accept, "json", "POST"),
        ("/remove", "group remove", remove, "json", "POST"),
        ("/update-permission", "group update permission", update_permission, "json", "POST"),
        ("/delete", "group delete", delete, "json", "DELETE"),
        ("/delete-shared", "group delete shared", leave, "json", "DELETE"),
        ("/ls", "group ls", ls, "none", "GET"),
        ("/members", "group members", members, "none", "GET"),
        ("/permission", "group permission", permission, "none", "GET"),
    ]
    return [
        Route(f"/v1/group{path}", endpoint(op, handler, body, NO_GROUP), methods=[method])
        for path, op, handler, body, method in table
    ]
