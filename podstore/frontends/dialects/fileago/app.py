"""The FileAgo app, and the wrapper that hands it FileAgo's paths on the main listener."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from podstore.core.service import Core
from podstore.frontends.dialects.fileago import auth, errors, nodes, transfer
from podstore.frontends.http.limits import RequestLimits
from podstore.frontends.http.observe import ObserveMiddleware

EXACT = ("/auth", "/api/nodes", "/api/groups")
PREFIXES = ("/api/nodes/", "/upload/", "/resources/auth/download/")


def create_app(core: Core) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.core = core
    errors.install(app)
    for module in (auth, nodes, transfer):
        app.include_router(module.router)
    app.add_middleware(
        RequestLimits,
        render=errors.render,
        max_body=core.settings.max_json_body,
        idle_seconds=core.settings.body_idle_timeout_seconds,
    )
    app.add_middleware(ObserveMiddleware)
    return app


def owns(path: str) -> bool:
    return path in EXACT or path.startswith(PREFIXES)


class FileAgoPaths:
    """Sends FileAgo's paths to its app and everything else to `main`. A trailing slash is
    dropped first, as FileAgo's clients add one (`/auth/`, `…/dirlist/`)."""

    def __init__(self, main: ASGIApp, core: Core) -> None:
        self.main = main
        self.fileago = create_app(core)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        trimmed = path.rstrip("/") or "/"
        if scope["type"] != "http" or not owns(trimmed):
            await self.main(scope, receive, send)
            return
        raw = scope.get("raw_path")
        scope = {**scope, "path": trimmed}
        if raw is not None:
            scope["raw_path"] = raw.rstrip(b"/") or b"/"
        await self.fileago(scope, receive, send)
