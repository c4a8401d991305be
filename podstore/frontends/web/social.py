"""The inbox of shared copies (save one into a pod, or decline it), sending a copy of a file
or folder to someone, and direct messages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from podstore.frontends.web.actions import Done, action
from podstore.frontends.web.render import render
from podstore.frontends.web.session import Viewer, core_of, require_viewer


async def inbox(request: Request) -> Response:
    viewer = await require_viewer(request)
    core = core_of(request)
    offers = await core.offers.inbox(viewer.actor)
    pods = [p for p in await core.pods.list(viewer.actor) if not p.read_only]
    return render(request, "inbox.html", {"offers": offers, "pods": pods})


@action
async def accept(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    node = await core_of(request).offers.receive(
        viewer.actor, form["pod"], form.get("folder", ""), offer_id=form["id"]
    )
    return Done(f"Saved {node.name} into {form['pod']}.")


@action
async def decline(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    await core_of(request).offers.delete(viewer.actor, form["id"])
    return Done("Declined.")


@action
async def send_copy(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    pod = request.path_params["pod"]
    await core_of(request).offers.share_copy(viewer.actor, pod, form["path"], form["user"])
    return Done(f"A copy is in {form['user']}'s inbox.")


async def conversations(request: Request) -> Response:
    viewer = await require_viewer(request)
    found = await core_of(request).messages.conversations(viewer.actor)
    return render(request, "messages.html", {"conversations": found})


async def conversation(request: Request) -> Response:
    viewer = await require_viewer(request)
    other = request.path_params["user"]
    page = await core_of(request).messages.history(viewer.actor, with_user=other, limit=100)
    context = {"other": other, "messages": list(reversed(page.items))}
    return render(request, "conversation.html", context)


@action
async def send(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    to = form.get("to", "").strip()
    await core_of(request).messages.send(viewer.actor, form.get("text", ""), to=to)
    return Done(None, f"/messages/{quote(to, safe='')}")


ROUTES = [
    Route("/inbox", inbox, methods=["GET"]),
    Route("/inbox/accept", accept, methods=["POST"]),
    Route("/inbox/decline", decline, methods=["POST"]),
    Route("/act/{pod}/send-copy", send_copy, methods=["POST"]),
    Route("/messages", conversations, methods=["GET"]),
    Route("/messages/send", send, methods=["POST"]),
    Route("/messages/{user}", conversation, methods=["GET"]),
]
