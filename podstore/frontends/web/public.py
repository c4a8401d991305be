"""The page an anonymous visitor of a public link sees: a file to download, a folder to
browse, or a drop box to upload into; an image shows its thumbnail (`?thumbnail=1024`, not
counted against the link's download limit, refused like a download on a no-download link).
The link's password, once given, stays in an HttpOnly cookie for that link's pages only.
Every visit opens the link through the core, which throttles wrong passwords and unknown
tokens like the link API does (one count for both)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from podstore.core.context import Actor
from podstore.core.errors import Invalid, PermissionDenied, Unauthenticated
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.deps import client_address
from podstore.frontends.http.downloads import serve
from podstore.frontends.http.multipart import stream_parts
from podstore.frontends.web.errors import message_of
from podstore.frontends.web.render import render
from podstore.frontends.web.session import core_of, refuse_cross_site

PASSWORD_COOKIE = "podstore_link_password"  # noqa: S105 - a cookie's name


def _base(token: str) -> str:
    return f"/s/{token}"


async def _open(request: Request, token: str) -> Actor:
    password = request.cookies.get(PASSWORD_COOKIE)
    return await core_of(request).links.open(token, password, client_address(request))


async def visit(request: Request) -> Response:
    token, path = request.path_params["token"], request.path_params.get("path", "").strip("/")
    core = core_of(request)
    try:
        actor = await _open(request, token)
    except Unauthenticated as exc:
        wrong = PASSWORD_COOKIE in request.cookies
        asked = {"token": token, "error": message_of(exc) if wrong else None}
        return render(request, "public_password.html", asked, 401)
    try:
        info = await core.links.stat(actor, path)
    except PermissionDenied:  # an upload-only link: a drop box
        return render(request, "public_drop.html", {"token": token})
    if info.kind == "file":
        if request.query_params.get("raw"):
            return await serve(await core.links.download(actor, path), request, core)
        wanted = request.query_params.get("thumbnail", "")
        if wanted:  # a preview: not counted as a download
            size = int(wanted) if wanted.isdigit() and len(wanted) < 6 else 0
            thumbnail = await core.previews.thumbnail(actor, actor.user_id, path, size)
            return await serve(thumbnail, request, core)
        shown = {
            "token": token,
            "path": path,
            "file": info,
            "thumbnail": core.previews.can_thumbnail(info.content_type),
        }
        return render(request, "public.html", shown)
    page = await core.tree.list(
        actor, actor.user_id, path, limit=1000, cursor=request.query_params.get("cursor")
    )
    context: dict[str, Any] = {"token": token, "path": path, "folder": info, "page": page}
    return render(request, "public.html", context)


async def give_password(request: Request) -> Response:
    refuse_cross_site(request)
    token = request.path_params["token"]
    form = await request.form()
    password = form.get("password")
    response = RedirectResponse(_base(token), status_code=303)
    if isinstance(password, str) and password:
        response.set_cookie(
            PASSWORD_COOKIE,
            password,
            path=_base(token),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


async def drop(request: Request) -> Response:
    """Files into an upload-only link (multipart/form-data)."""
    refuse_cross_site(request)
    token = request.path_params["token"]
    core = core_of(request)
    actor = await _open(request, token)

    async def consume(_field: str, filename: str | None, data: Any) -> str:
        written = await core.files.upload(actor, actor.user_id, str(filename), data)
        return written.node.name

    _, names = await stream_parts(
        body_of(request), request.headers.get("content-type", ""), consume
    )
    if not names:
        raise Invalid("choose at least one file")
    return render(request, "public_dropped.html", {"token": token, "names": names}, 201)


ROUTES = [
    Route("/s/{token}", visit, methods=["GET"]),
    Route("/s/{token}/password", give_password, methods=["POST"]),
    Route("/s/{token}/upload", drop, methods=["POST"]),
    Route("/s/{token}/{path:path}", visit, methods=["GET"]),
]
