"""Pages to look around: pods, a folder (sorted, paged, filtered), a file (preview,
versions, sharing), search results, trash and favourites."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from podstore.core.errors import CoreError, Invalid
from podstore.core.records import NodeInfo
from podstore.frontends.web.render import CSP, render
from podstore.frontends.web.session import core_of, require_viewer

PAGE = 200  # rows per page of a folder; more load as the user scrolls
RECENT = 50
SORTS = ("name", "size", "modified")


def crumbs(pod: str, path: str) -> list[tuple[str, str]]:
    """(label, folder path) from the pod's root down to `path`."""
    parts = [p for p in path.split("/") if p]
    return [(pod, "")] + [(name, "/".join(parts[: i + 1])) for i, name in enumerate(parts)]


CODE_TYPES = frozenset(
    {
        "application/json",
        "application/javascript",
        "application/xml",
        "application/x-sh",
        "application/sql",
        "application/toml",
        "application/yaml",
        "application/x-yaml",
    }
)


def preview_kind(info: NodeInfo, thumbnails: Callable[[str | None], bool]) -> str | None:
    kind = (info.content_type or "").split(";")[0].strip().lower()
    if kind in ("text/html", "image/svg+xml"):
        return None  # never rendered from our origin: download only
    if thumbnails(kind):
        return "thumbnail"
    if kind.startswith("image/"):
        return "image"
    if kind.startswith("audio/"):
        return "audio"
    if kind.startswith("video/"):
        return "video"
    if kind == "application/pdf":
        return "pdf"
    if kind.startswith("text/") or kind in CODE_TYPES:
        return "text"
    return None


async def pods(request: Request) -> Response:
    viewer = await require_viewer(request)
    core = core_of(request)
    mine = await core.pods.list(viewer.actor)
    shared = await core.sharing.incoming(viewer.actor)
    return render(request, "pods.html", {"pods": mine, "shared": shared})


async def browse(request: Request) -> Response:
    viewer = await require_viewer(request)
    core = core_of(request)
    pod, path = request.path_params["pod"], request.path_params.get("path", "").strip("/")
    info = await core.tree.stat(viewer.actor, pod, path)
    if info.kind == "file":
        return await _file_page(request, viewer.actor, pod, path, info)
    sort = request.query_params.get("sort", "name")
    order = "desc" if request.query_params.get("order") == "desc" else "asc"
    if sort not in SORTS:
        raise Invalid(f"sort by one of {', '.join(SORTS)}")
    page = await core.tree.list(
        viewer.actor,
        pod,
        path,
        sort=sort,
        order=order,
        limit=PAGE,
        cursor=request.query_params.get("cursor"),
    )
    context: dict[str, Any] = {
        "pod": pod,
        "path": path,
        "folder_id": info.id,
        "crumbs": crumbs(pod, path),
        "entries": page.entries,
        "next_cursor": page.next_cursor,
        "sort": sort,
        "order": order,
        "thumbnails": core.previews.can_thumbnail,
        "chunk_size": min(core.settings.max_request_bytes, 16 * 1024 * 1024) - 1024,
    }
    if request.headers.get("hx-request") and request.query_params.get("cursor"):
        return render(request, "rows.html", context)
    context["pod_info"] = await _pod_info(request, pod)
    return render(request, "folder.html", context)


async def _pod_info(request: Request, pod: str) -> Any:
    viewer = await require_viewer(request)
    try:
        return await core_of(request).pods.stat(viewer.actor, pod)
    except CoreError:  # a share's scope is not a pod of the viewer's
        return None


async def _file_page(request: Request, actor: Any, pod: str, path: str, info: NodeInfo) -> Response:
    core = core_of(request)
    versions = await core.files.versions(actor, pod, path)
    context = {
        "pod": pod,
        "path": path,
        "crumbs": crumbs(pod, path),
        "file": info,
        "versions": versions,
        "preview": preview_kind(info, core.previews.can_thumbnail),
    }
    # a PDF shows in a frame of its download, whose own `Content-Security-Policy: sandbox`
    # sandboxes it (Chromium's viewer refuses a frame with the `sandbox` attribute)
    frames = {"Content-Security-Policy": f"{CSP}; frame-src 'self'"}
    return render(
        request, "file.html", context, headers=frames if context["preview"] == "pdf" else None
    )


async def search(request: Request) -> Response:
    viewer = await require_viewer(request)
    pod, query = request.path_params["pod"], request.query_params.get("q", "").strip()
    found = await core_of(request).tree.search(viewer.actor, pod, query) if query else []
    context = {"pod": pod, "q": query, "found": found, "crumbs": crumbs(pod, "")}
    template = "search_results.html" if request.headers.get("hx-request") else "search.html"
    return render(request, template, context)


async def trash(request: Request) -> Response:
    viewer = await require_viewer(request)
    pod = request.path_params["pod"]
    items = await core_of(request).tree.trash(viewer.actor, pod)
    return render(request, "trash.html", {"pod": pod, "items": items, "crumbs": crumbs(pod, "")})


async def recent(request: Request) -> Response:
    """The files changed last in every pod the viewer has, newest first."""
    viewer = await require_viewer(request)
    core = core_of(request)
    found: list[NodeInfo] = []
    for pod in await core.pods.list(viewer.actor):
        found += await core.tree.recent(viewer.actor, pod.name, RECENT)
    found.sort(key=lambda n: n.modified_at, reverse=True)
    return render(request, "recent.html", {"items": found[:RECENT]})


async def starred(request: Request) -> Response:
    viewer = await require_viewer(request)
    return render(
        request, "starred.html", {"items": await core_of(request).tree.starred(viewer.actor)}
    )


ROUTES = [
    Route("/pods", pods, methods=["GET"]),
    Route("/files/{pod}", browse, methods=["GET"]),
    Route("/files/{pod}/{path:path}", browse, methods=["GET"]),
    Route("/search/{pod}", search, methods=["GET"]),
    Route("/trash/{pod}", trash, methods=["GET"]),
    Route("/starred", starred, methods=["GET"]),
    Route("/recent", recent, methods=["GET"]),
]
