"""The Hasura file API's ASGI app over a Core: routes, identity, and one error mapping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from podstore.core.context import new_id
from podstore.core.records import FilestoreIdentity, GatewayClaims
from podstore.core.service import Core
from podstore.frontends.dialects.hasura.errors import error, render, response_for
from podstore.frontends.dialects.hasura.shapes import metadata
from podstore.frontends.dialects.hasura.webhook import Webhook
from podstore.frontends.http.bodies import body_of
from podstore.frontends.http.downloads import download_headers, serve
from podstore.frontends.http.limits import RequestLimits, declared_length
from podstore.frontends.http.observe import ObserveMiddleware

COOKIE = "dinoisses"  # Hasura's session cookie
Handler = Callable[[Request], Awaitable[Response]]


def token_of(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or None


def claims_of(request: Request) -> GatewayClaims | None:
    user_id = request.headers.get("x-hasura-user-id")
    if user_id is None:
        return None
    headers = request.headers
    return GatewayClaims(
        user_id.strip(), headers.get("x-hasura-role"), headers.get("x-hasura-allowed-roles")
    )


class HasuraFiles:
    def __init__(self, core: Core) -> None:
        self.core = core
        settings = core.settings.frontends.hasura
        self.hook = (
            Webhook(settings.hook_url, settings.hook_timeout_seconds)
            if settings.permissions == "webhook" and settings.hook_url
            else None
        )

    async def identify(self, request: Request) -> FilestoreIdentity:
        return await self.core.filestore.identify(
            token_of(request),
            request.headers.get("x-hasura-role"),
            claims_of(request),
            request.client.host if request.client else None,
        )

    async def upload(self, request: Request, file_id: str, replace: bool) -> Response:
        who = await self.identify(request)
        kind = request.headers.get("content-type", "").strip()[:255]
        stored = await self.core.filestore.upload(
            who,
            file_id,
            body_of(request),
            content_type=kind or None,
            size_hint=declared_length(request.scope),
            replace=replace,
            hook=self.hook,
        )
        return JSONResponse(metadata(stored))

    async def create(self, request: Request) -> Response:
        return await self.upload(request, new_id(), replace=False)

    async def one_file(self, request: Request) -> Response:
        file_id: str = request.path_params["file_id"]
        if request.method in ("POST", "PUT"):
            return await self.upload(request, file_id, replace=request.method == "PUT")
        who = await self.identify(request)
        if request.method == "DELETE":
            stored = await self.core.filestore.delete(who, file_id, self.hook)
            return JSONResponse({**metadata(stored), "status": "deleted"})
        _, download = await self.core.filestore.open(who, file_id, self.hook)
        if request.method == "HEAD":
            headers = download_headers(download)
            headers["Content-Length"] = str(download.size)
            return Response(headers=headers)
        return await serve(download, request, self.core)


def answering(handler: Handler) -> Handler:
    """The handler, with every failure answered in the Hasura envelope."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except Exception as exc:  # each kind has its answer in errors.py
            return response_for(request, exc)

    return endpoint


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "no such route", 405: "method not allowed"}.get(exc.status_code, exc.detail)
    return error(exc.status_code, message, dict(exc.headers) if exc.headers else None)


def create_app(core: Core) -> ASGIApp:
    files = HasuraFiles(core)
    methods = ["POST", "PUT", "GET", "HEAD", "DELETE"]
    app = Starlette(
        routes=[
            Route("/v1/file", answering(files.create), methods=["POST"]),
            Route("/v1/file/{file_id}", answering(files.one_file), methods=methods),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    limited: ASGIApp = RequestLimits(
        app,
        render=render,
        max_body=core.settings.max_json_body,
        idle_seconds=core.settings.body_idle_timeout_seconds,
    )
    origins = core.settings.frontends.hasura.cors_origins
    if origins:  # the js-sdk runs in the app's pages, on another origin than the files
        limited = CORSMiddleware(
            limited,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=methods,
            allow_headers=["Authorization", "Content-Type", "Range", "X-Hasura-Role"],
            expose_headers=["Content-Length", "Content-Range", "ETag"],
            max_age=3600,
        )
    return ObserveMiddleware(limited)
