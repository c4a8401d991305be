"""Public pods: pod/share makes a read-only public link on the pod's root (its reference is
the link's token); anyone holding it reads through /public-file, /public-dir,
/public-pod-snapshot and /public/{ref}/… (a static site, index.html for folders), and a user
holding it receives the pod (a live read-only member's view) or forks it."""

from __future__ import annotations

import base64
import mimetypes
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from podstore.core.context import Actor
from podstore.core.errors import UNAVAILABLE, CoreError, NotFound
from podstore.frontends.dialects.fairos.calls import Call, endpoint
from podstore.frontends.dialects.fairos.dirs import (
    BLOCK_SIZE,
    DIR_MODE,
    entry,
    every_entry,
    mode_of,
)
from podstore.frontends.dialects.fairos.envelope import V08, respond
from podstore.frontends.dialects.fairos.errors import FairError, error_response
from podstore.frontends.dialects.fairos.kv import entry_missing
from podstore.frontends.dialects.fairos.pods import pod_address, pod_field
from podstore.frontends.http.downloads import serve

MAX_SNAPSHOT = 10_000  # nodes in one /public-pod-snapshot


async def share(call: Call) -> Response:
    made = await call.core.links.create(await call.actor(), pod_field(call), "/")
    key = ("podSharingReference", "pod_sharing_reference", made.token)
    return respond(call.generation.shape(key))


async def _link(call: Call, ref: str) -> Actor:
    client = call.request.client
    try:
        return await call.core.links.open(ref, None, client.host if client else None)
    except NotFound:
        raise FairError(404, "invalid sharing reference") from None


async def receive_info(call: Call) -> Response:
    await call.actor()
    shared = await call.core.links.pod_of(await _link(call, call.get("sharingRef")))
    owner = await call.core.accounts.address_of_name(shared.owner) or ""
    return respond(
        call.generation.shape(
            ("podName", "pod_name", shared.name),
            ("podAddress", "pod_address", pod_address(shared.pod_id)),
            ("password", "password", ""),
            ("userAddress", "user_address", owner),
        )
    )


async def receive(call: Call) -> Response:
    actor = await call.actor()
    link = await _link(call, call.get("sharingRef"))
    joined = await call.core.links.join(actor, link, call.get("sharedPodName", default="") or None)
    # pod/receive answers a plain string in every generation, so it carries `code`
    return respond({"message": f'public pod "{joined.name}", added as shared pod', "code": 200})


async def fork_from_reference(call: Call) -> Response:
    actor = await call.actor()
    name = call.get("forkName")
    link = await _link(call, call.get("podSharingReference"))
    await call.core.links.pod_of(link)
    if any(p.name == name for p in await call.core.pods.list(actor)):
        raise FairError(400, "pod with fork name already exists")
    await call.core.sharing.fork(actor, link.user_id, name, reader=link)
    return respond(call.generation.message("pod forked successfully", 200))


async def public_file(call: Call) -> Response:
    link = await _link(call, call.get("sharingRef"))
    handle = await call.core.links.download(link, call.get("filePath"))
    return await serve(handle, call.request, call.core)


async def public_kv(call: Call) -> Response:
    link = await _link(call, call.get("sharingRef"))
    table, key = call.get("tableName"), call.get("key")
    try:
        value = await call.core.kv.get(link, link.user_id, table, key)
    except NotFound as exc:
        raise entry_missing(exc) from None
    columns = (await call.core.kv.stat(link, link.user_id, table)).columns
    return respond(
        {"keys": list(columns) if columns else [key], "values": base64.b64encode(value).decode()}
    )


async def public_dir(call: Call) -> Response:
    link = await _link(call, call.get("sharingRef"))
    found = await every_entry(call.core, link, link.user_id, call.get("dirPath", default="/"))
    body: dict[str, Any] = {}
    dirs = [entry(call.generation, n) for n in found if n.kind == "dir"]
    files = [entry(call.generation, n) for n in found if n.kind != "dir"]
    if dirs:
        body["dirs"] = dirs
    if files:
        body["files"] = files
    return respond(body)


async def _snapshot(
    call: Call, link: Actor, path: str, name: str, budget: list[int], mode: int = DIR_MODE
) -> dict[str, Any]:
    found = await every_entry(call.core, link, link.user_id, path)
    budget[0] -= len(found)
    if budget[0] < 0:
        raise FairError(400, f"a snapshot holds at most {MAX_SNAPSHOT} entries")
    files = [
        {
            "filePath": path,
            "fileName": n.name,
            "fileSize": n.size,
            "blockSize": BLOCK_SIZE,
            "contentType": n.content_type or "application/octet-stream",
            "compression": "",
            "creationTime": int(n.created_at),
            "modificationTime": int(n.modified_at),
            "accessTime": int(n.modified_at),
            "mode": mode_of(n),
        }
        for n in found
        if n.kind != "dir"
    ]
    folders = [
        await _snapshot(call, link, path.rstrip("/") + "/" + n.name, n.name, budget, mode_of(n))
        for n in found
        if n.kind == "dir"
    ]
    return {
        "name": name,
        "contentType": "inode/directory",
        "mode": mode,
        "fileList": files,
        "dirList": folders,
    }


async def snapshot(call: Call) -> Response:
    link = await _link(call, call.get("sharingRef"))
    return respond(await _snapshot(call, link, "/", "/", [MAX_SNAPSHOT]))


async def static(request: Request) -> Response:
    """`/public/{ref}/{path}`: files of a public pod as a web site."""
    call = Call(request, "public")
    ref, path = request.path_params["ref"], request.path_params.get("path", "")
    try:
        link = await _link(call, ref)
        if path == "" or path.endswith("/"):
            path += "index.html"
        handle = await call.core.links.download(link, path)
        response = await serve(handle, request, call.core)
    except Exception as exc:
        if not isinstance(exc, (FairError, CoreError, *UNAVAILABLE)):
            raise
        return error_response("public", exc, V08)
    kind, _ = mimetypes.guess_type(path)
    if kind:
        response.headers["content-type"] = kind
    return response


async def _to_folder(request: Request) -> Response:
    return RedirectResponse(f"/public/{request.path_params['ref']}/", 301)


def routes() -> list[Route]:
    return [
        Route("/v1/pod/share", endpoint("pod share", share), methods=["POST"]),
        Route(
            "/v1/pod/receiveinfo",
            endpoint("pod receive info", receive_info, "none", "invalid sharing reference"),
            methods=["GET"],
        ),
        Route(
            "/v1/pod/receive",
            endpoint("pod receive", receive, "none", "invalid sharing reference"),
            methods=["GET"],
        ),
        Route(
            "/v1/pod/fork-from-reference",
            endpoint("pod fork", fork_from_reference, "json", "invalid sharing reference"),
            methods=["POST"],
        ),
        Route("/public-file", endpoint("public file", public_file, "none"), methods=["GET"]),
        Route("/public-dir", endpoint("public dir", public_dir, "none"), methods=["GET"]),
        Route("/public-kv", endpoint("public kv", public_kv, "none"), methods=["GET"]),
        Route(
            "/public-pod-snapshot",
            endpoint("public pod snapshot", snapshot, "none"),
            methods=["GET"],
        ),
        Route("/public/{ref}", _to_folder, methods=["GET"]),
        Route("/public/{ref}/{path:path}", static, methods=["GET"]),
    ]
