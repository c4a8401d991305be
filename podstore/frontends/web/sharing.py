"""Sharing from the browser: grants to users and groups, public links (password, expiry,
download limit, upload-only drop box), the list of one's links, and a node by its id."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from podstore.core.context import now
from podstore.core.errors import Invalid
from podstore.frontends.web.actions import Done, action
from podstore.frontends.web.edit import folder_url
from podstore.frontends.web.render import render
from podstore.frontends.web.session import Viewer, core_of, require_viewer

LEVELS = ("read", "write", "delete")


def expiry(days: str) -> float | None:
    days = days.strip()
    if not days:
        return None
    if not days.isdigit() or not 1 <= int(days) <= 3650:
        raise Invalid("an expiry is a number of days from 1 to 3650")
    return now() + int(days) * 86400


@action
async def share(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    who, level = form.get("who", "").strip(), form.get("level", "read")
    if level not in LEVELS:
        raise Invalid(f"the level is one of {', '.join(LEVELS)}")
    if not who:
        raise Invalid("name a user, or a group as group:name")
    group = who.removeprefix("group:") if who.startswith("group:") else None
    await core_of(request).sharing.share(
        viewer.actor,
        request.path_params["pod"],
        form["path"],
        user=None if group else who,
        group=group,
        level=level,
        expires_at=expiry(form.get("expires_days", "")),
    )
    return Done(f"Shared with {who} ({level}).")


@action
async def add_member(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    who, role = form.get("who", "").strip(), form.get("role", "viewer")
    group = who.removeprefix("group:") if who.startswith("group:") else None
    await core_of(request).sharing.add_member(
        viewer.actor,
        request.path_params["pod"],
        user=None if group else who,
        group=group,
        role=role,
    )
    return Done(f"{who} is now a member ({role}).")


@action
async def create_link(request: Request, viewer: Viewer, form: dict[str, Any]) -> Response:
    limit = form.get("max_downloads", "").strip()
    if limit and not limit.isdigit():
        raise Invalid("the download limit is a whole number")
    made = await core_of(request).links.create(
        viewer.actor,
        request.path_params["pod"],
        form["path"],
        password=form.get("password") or None,
        expires_at=expiry(form.get("expires_days", "")),
        max_downloads=int(limit) if limit else None,
        upload_only=form.get("upload_only") == "on",
    )
    token = made.url.rstrip("/").rpartition("/")[2]
    page = str(request.base_url).rstrip("/") + "/s/" + token
    return render(request, "link_created.html", {"link": made, "page": page, "next": form["next"]})


async def links(request: Request) -> Response:
    viewer = await require_viewer(request)
    core = core_of(request)
    context = {
        "links": await core.links.list(viewer.actor),
        "grants": await core.sharing.outgoing(viewer.actor),
    }
    return render(request, "links.html", context)


@action
async def revoke_link(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    await core_of(request).links.revoke(viewer.actor, form["id"])
    return Done("Link revoked: it no longer opens.")


@action
async def revoke_grant(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    await core_of(request).sharing.revoke(viewer.actor, form["id"])
    return Done("Share revoked.")


async def node(request: Request) -> Response:
    """A file or folder by its id, wherever the viewer can reach it."""
    viewer = await require_viewer(request)
    scope, path = await core_of(request).sharing.locate(viewer.actor, request.path_params["id"])
    return RedirectResponse(folder_url(scope, path), status_code=303)


ROUTES = [
    Route("/act/{pod}/share", share, methods=["POST"]),
    Route("/act/{pod}/link", create_link, methods=["POST"]),
    Route("/pods/{pod}/members", add_member, methods=["POST"]),
    Route("/links", links, methods=["GET"]),
    Route("/links/revoke", revoke_link, methods=["POST"]),
    Route("/grants/revoke", revoke_grant, methods=["POST"]),
    Route("/node/{id}", node, methods=["GET"]),
]
