"""Anonymous access through a public link: `GET {url}` and `GET {url}/{subpath}` serve a
file's content or a folder's listing; upload-only links take `PUT {url}/{name}` and
multipart `POST {url}`. The password travels in `X-Podstore-Link-Password`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from podstore.core.context import Actor
from podstore.core.errors import Invalid
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.deps import CoreDep, client_address
from podstore.frontends.http.downloads import serve
from podstore.frontends.http.multipart import stream_parts
from podstore.frontends.http.openapi import DOWNLOAD, FORM, problems, raw_body
from podstore.frontends.native import shapes_tree as shape
from podstore.frontends.native.files import declared_type, size_hint

router = APIRouter(tags=["public links"], responses=problems(401, 403, 404, 409, 507))
PASSWORD_HEADER = "x-podstore-link-password"  # noqa: S105 - a header name


async def link_actor(token: str, request: Request, core: Any) -> Actor:
    actor: Actor = await core.links.open(
        token, request.headers.get(PASSWORD_HEADER), client_address(request)
    )
    return actor


@router.get("/public/{token}", **DOWNLOAD)
@router.get("/public/{token}/{path:path}", **DOWNLOAD)
async def get_public(
    token: str,
    request: Request,
    core: CoreDep,
    path: str = "",
    cursor: str | None = None,
    limit: int = 1000,
) -> Response:
    actor = await link_actor(token, request, core)
    info = await core.links.stat(actor, path)
    if info.kind == "dir":
        page = await core.tree.list_rendered(
            actor,
            actor.user_id,
            path,
            shape.NODE_FIELDS,
            limit=min(max(limit, 1), 10_000),
            cursor=cursor,
        )
        return Response(shape.rendered_listing(page), media_type="application/json")
    return await serve(await core.links.download(actor, path), request, core)


@router.put(
    "/public/{token}/{path:path}",
    status_code=201,
    openapi_extra=raw_body("application/octet-stream", required=False),
)
async def put_public(token: str, path: str, request: Request, core: CoreDep) -> dict[str, Any]:
    actor = await link_actor(token, request, core)
    result = await core.files.upload(
        actor,
        actor.user_id,
        path,
        body_of(request),
        content_type=declared_type(request),
        size_hint=size_hint(request),
    )
    return shape.written(result)


@router.post("/public/{token}", status_code=201, openapi_extra=FORM)
async def post_public(token: str, request: Request, core: CoreDep) -> dict[str, Any]:
    actor = await link_actor(token, request, core)

    async def consume(_field: str, filename: str | None, data: Any) -> dict[str, Any]:
        return shape.written(await core.files.upload(actor, actor.user_id, str(filename), data))

    _, results = await stream_parts(
        body_of(request), request.headers.get("content-type", ""), consume
    )
    if not results:
        raise Invalid("the form holds no file")
    return {"files": results}
