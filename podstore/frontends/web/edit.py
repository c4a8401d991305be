"""Forms that change files and pods: new folder, rename, move, copy, delete and download of
a selection, favourites, trash (restore, purge), versions, pods, and the no-script upload."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from podstore.core.errors import Invalid
from podstore.frontends.http.archives import zip_response
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.multipart import stream_parts
from podstore.frontends.web.actions import Done, action
from podstore.frontends.web.render import url_path
from podstore.frontends.web.session import Viewer, check_token, core_of, require_viewer


def join(folder: str, name: str) -> str:
    return f"{folder.strip('/')}/{name}".strip("/")


def base_name(path: str) -> str:
    return path.strip("/").rpartition("/")[2]


def folder_url(pod: str, folder: str) -> str:
    return f"/files/{url_path(pod)}/{url_path(folder)}".rstrip("/")


@action
async def mkdir(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    pod = request.path_params["pod"]
    await core_of(request).tree.mkdir(viewer.actor, pod, join(form["folder"], form["name"]))
    return Done(f"Folder {form['name']} created.")


@action
async def rename(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    pod, path = request.path_params["pod"], form["path"]
    target = join(path.strip("/").rpartition("/")[0], form["name"])
    await core_of(request).tree.move(viewer.actor, pod, path, target)
    return Done(f"Renamed to {form['name']}.")


@action
async def selection(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done | Response:
    """One operation on every selected path: delete, move, copy, download (zip), star."""
    pod, paths, op = request.path_params["pod"], form["paths"], form.get("op", "")
    core, actor = core_of(request), viewer.actor
    if not paths:
        raise Invalid("select files or folders first")
    if op == "zip":
        name = (base_name(form.get("folder", "")) or pod) + ".zip"
        return await zip_response(core, actor, pod, paths, name)
    for path in paths:
        if op == "delete":
            await core.tree.delete(actor, pod, path)
        elif op in ("move", "copy"):
            target = join(form.get("target", ""), base_name(path))
            await (core.tree.move if op == "move" else core.tree.copy)(actor, pod, path, target)
        elif op in ("star", "unstar"):
            await core.tree.star(actor, pod, path, op == "star")
        else:
            raise Invalid("choose what to do with the selection")
    verbs = {"delete": "Moved to the trash", "move": "Moved", "copy": "Copied", "star": "Starred"}
    verbs["unstar"] = "Unstarred"
    return Done(f"{verbs.get(op, 'Done')}: {len(paths)} item{'s' * (len(paths) != 1)}.")


@action
async def restore(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    node = await core_of(request).tree.restore(viewer.actor, request.path_params["pod"], form["id"])
    return Done(f"Restored to {node.path}.")


@action
async def purge(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    count = await core_of(request).tree.purge(
        viewer.actor, request.path_params["pod"], form.get("id") or None
    )
    return Done(f"Deleted for good: {count} item{'s' * (count != 1)}.")


@action
async def restore_version(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    written = await core_of(request).files.restore_version(
        viewer.actor, request.path_params["pod"], form["path"], form["version"]
    )
    return Done(f"Restored as version {written.version}.")


@action
async def create_pod(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    quota = form.get("quota_mib", "").strip()
    pod = await core_of(request).pods.create(
        viewer.actor,
        form["name"],
        quota_bytes=int(quota) * 1024 * 1024 if quota.isdigit() else None,
    )
    return Done(f"Pod {pod.name} created.", folder_url(pod.name, ""))


@action
async def rename_pod(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    pod = request.path_params["pod"]
    await core_of(request).pods.update(viewer.actor, pod, name=form["name"])
    return Done(f"Pod renamed to {form['name']}.", "/pods")


@action
async def delete_pod(request: Request, viewer: Viewer, form: dict[str, Any]) -> Done:
    pod = request.path_params["pod"]
    if form.get("confirm") != pod:
        raise Invalid(f"type the pod's name, {pod}, to delete it")
    await core_of(request).pods.delete(viewer.actor, pod)
    return Done(f"Pod {pod} deleted.", "/pods")


async def upload(request: Request) -> Response:
    """multipart/form-data into a folder, for pages without scripts; the token in the query."""
    viewer = await require_viewer(request)
    check_token(request, viewer)
    pod, folder = request.path_params["pod"], request.query_params.get("folder", "")
    core = core_of(request)

    async def consume(_field: str, filename: str | None, data: Any) -> str:
        written = await core.files.upload(viewer.actor, pod, join(folder, str(filename)), data)
        return written.node.name

    _, names = await stream_parts(
        body_of(request), request.headers.get("content-type", ""), consume
    )
    if request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({"uploaded": names})
    return RedirectResponse(folder_url(pod, folder), status_code=303)


ROUTES = [
    Route("/act/{pod}/mkdir", mkdir, methods=["POST"]),
    Route("/act/{pod}/rename", rename, methods=["POST"]),
    Route("/act/{pod}/selection", selection, methods=["POST"]),
    Route("/act/{pod}/restore", restore, methods=["POST"]),
    Route("/act/{pod}/purge", purge, methods=["POST"]),
    Route("/act/{pod}/restore-version", restore_version, methods=["POST"]),
    Route("/act/{pod}/upload", upload, methods=["POST"]),
    Route("/pods/new", create_pod, methods=["POST"]),
    Route("/pods/{pod}/rename", rename_pod, methods=["POST"]),
    Route("/pods/{pod}/delete", delete_pod, methods=["POST"]),
]
