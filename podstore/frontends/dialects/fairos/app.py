"""The FairOS app: every generation's routes, FairOS's envelope for refusals and CORS, and
the mount that hands FairOS's paths to it on the main listener."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from podstore.core.service import Core
from podstore.frontends.dialects.fairos import (
    dirs,
    docs,
    files,
    groups,
    kv,
    pods,
    profile,
    public,
    sharing,
    users,
    ws,
)
from podstore.frontends.dialects.fairos.envelope import respond
from podstore.frontends.http.limits import RequestLimits

PREFIXES = ("/v0/", "/v1/", "/v2/", "/public-", "/public/", "/ws/v1/")


def _refusal(status: int, _title: str, detail: str) -> Response:
    return respond({"message": detail, "code": status}, status)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:  # as gorilla/mux: the status alone
        return Response(status_code=405)
    return PlainTextResponse("404 page not found\n", exc.status_code)


def all_routes() -> list[BaseRoute]:
    return [
        *users.routes(),
        *profile.routes(),
        *pods.routes(),
        *dirs.routes(),
        *files.routes(),
        *kv.routes(),
        *docs.routes(),
        *sharing.routes(),
        *groups.routes(),
        *public.routes(),
        WebSocketRoute("/ws/v1/", ws.websocket),
    ]


def create_app(core: Core) -> ASGIApp:
    settings = core.settings
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.frontends.fairos.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["*"],
            max_age=3600,
        ),
        Middleware(
            RequestLimits,
            render=_refusal,
            max_body=settings.max_json_body,
            idle_seconds=settings.body_idle_timeout_seconds,
        ),
    ]
    app = Starlette(
        routes=all_routes(),
        middleware=middleware,
        exception_handlers={HTTPException: _http_error},
    )
    app.state.core = core
    return app


class FairosMount:
    """FairOS's paths to the FairOS app, everything else to `app`."""

    def __init__(self, app: ASGIApp, fairos: ASGIApp) -> None:
        self.app, self.fairos = app, fairos

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith(PREFIXES):
            await self.fairos(scope, receive, send)
        else:
            await self.app(scope, receive, send)
