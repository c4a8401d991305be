"""Pods: new, open, close, sync, delete, ls, stat, present, fork; and which pods a session
has open (kept in the core's session state, so every node sees it)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from podstore.core.errors import Conflict, NotFound
from podstore.frontends.dialects.fairos.calls import Call, endpoint
from podstore.frontends.dialects.fairos.envelope import respond
from podstore.frontends.dialects.fairos.errors import FairError
from podstore.frontends.dialects.fairos.session import opened, set_pod


def pod_field(call: Call) -> str:
    """The pod a request names (v0: the pod the session opened last, or `pod`)."""
    return call.get("podName", "pod")


async def open_pod(call: Call) -> str:
    """The named pod (or a group's drive, by `groupName`), which the session must have
    opened: FairOS's "pod not open" rule."""
    state = await opened(call)
    group = call.raw("groupName")
    if group and not call.raw("podName", "pod") and isinstance(group, str):
        if f"{group}:{group}" not in state["pods"]:
            raise FairError(400, "group not open")
        return f"{group}:{group}"
    if call.generation.name == "v0" and not call.raw("podName", "pod"):
        if not state["current"]:
            raise FairError(400, "pod not open")
        return str(state["current"])
    pod = pod_field(call)
    if pod not in state["pods"]:
        raise FairError(400, "pod not open")
    return pod


def pod_address(pod_id: str) -> str:
    return pod_id.replace("-", "")


async def new(call: Call) -> Response:
    pod = pod_field(call)
    try:
        await call.core.pods.create(await call.actor(), pod)
    except Conflict:
        raise FairError(400, "pod already exists") from None
    await set_pod(call, pod, True)
    return respond(call.generation.message("pod created successfully", 201), 201)


async def open_(call: Call) -> Response:
    pod = pod_field(call)
    await call.core.pods.stat(await call.actor(), pod)
    await set_pod(call, pod, True)
    return respond(call.generation.message("pod opened successfully", 200))


async def _named_or_current(call: Call) -> str:
    if call.generation.name == "v0" and not call.raw("podName", "pod"):
        return await open_pod(call)
    return pod_field(call)


async def close(call: Call) -> Response:
    pod = await _named_or_current(call)
    if pod not in (await opened(call))["pods"]:
        raise FairError(400, "pod not open")
    await set_pod(call, pod, False)
    return respond(call.generation.message("pod closed successfully", 200))


async def sync(call: Call) -> Response:
    await call.core.pods.stat(await call.actor(), await _named_or_current(call))
    return respond(call.generation.message("pod synced successfully", 200))


async def delete(call: Call) -> Response:
    pod = await _named_or_current(call)
    await call.core.pods.delete(await call.actor(), pod)
    await set_pod(call, pod, False)
    return respond(call.generation.message("pod deleted successfully", 200))


async def ls(call: Call) -> Response:
    found = await call.core.pods.list(await call.actor())
    own = [p.name for p in found if p.role == "owner" and not p.read_only]
    shared = [p.name for p in found if p.role != "owner" or p.read_only]
    return respond(
        call.generation.shape(("pods", "pod_name", own), ("sharedPods", "shared_pod_name", shared))
    )


async def stat(call: Call) -> Response:
    info = await call.core.pods.stat(await call.actor(), await _named_or_current(call))
    return respond(
        call.generation.shape(
            ("podName", "pod_name", info.name), ("address", "address", pod_address(info.id))
        )
    )


async def present(call: Call) -> Response:
    try:
        await call.core.pods.stat(await call.actor(), pod_field(call))
    except NotFound:
        return respond({"present": False})
    return respond({"present": True})


async def fork(call: Call) -> Response:
    pod, name = pod_field(call), call.get("forkName")
    actor = await call.actor()
    if any(p.name == name for p in await call.core.pods.list(actor)):
        raise FairError(400, "pod with fork name already exists")
    await call.core.sharing.fork(actor, pod, name)
    return respond(call.generation.message("pod forked successfully", 200))


def routes() -> list[Route]:
    out: list[Route] = []
    for version, body, query in (("v0", "form", "form"), ("v1", "json", "none")):
        base = f"/{version}/pod"
        out += [
            Route(f"{base}/new", endpoint("pod new", new, body), methods=["POST"]),
            Route(f"{base}/open", endpoint("pod open", open_, body), methods=["POST"]),
            Route(f"{base}/close", endpoint("pod close", close, body), methods=["POST"]),
            Route(f"{base}/sync", endpoint("pod sync", sync, body), methods=["POST"]),
            Route(f"{base}/delete", endpoint("pod delete", delete, body), methods=["DELETE"]),
            Route(f"{base}/ls", endpoint("pod ls", ls, query), methods=["GET"]),
            Route(f"{base}/stat", endpoint("pod stat", stat, query), methods=["GET"]),
        ]
    return [
        *out,
        Route("/v1/pod/sync-async", endpoint("pod sync", sync), methods=["POST"]),
        Route("/v1/pod/present", endpoint("pod present", present, "none"), methods=["GET"]),
        Route("/v1/pod/fork", endpoint("pod fork", fork), methods=["POST"]),
    ]
