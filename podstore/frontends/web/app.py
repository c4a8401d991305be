"""The web UI's Starlette app, and how the main listener falls back to it."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from podstore.core.service import Core
from podstore.frontends.web import accounts, browse, data, edit, public, sharing, social
from podstore.frontends.web.errors import HANDLERS
from podstore.frontends.web.render import STATIC


class _CachedStatic(StaticFiles):
    async def get_response(self, path: str, scope: Scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def create_web_app(core: Core) -> Starlette:
    routes = [
        *accounts.ROUTES,
        *browse.ROUTES,
        *edit.ROUTES,
        *sharing.ROUTES,
        *public.ROUTES,
        *data.ROUTES,
        *social.ROUTES,
        Mount("/static", _CachedStatic(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers=HANDLERS)  # type: ignore[arg-type]
    app.state.core = core
    return app


def install(app: FastAPI, core: Core) -> None:
    """Serve the web UI for whatever no other route of `app` matches: it never shadows a
    front end, whenever that one is mounted. Paths the web UI does not know either get the
    app's own 404 (problem+json under /api)."""
    web = create_web_app(core)
    router: Router = app.router
    not_found = router.not_found

    async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _claims(web, scope):
            await web(scope, receive, send)
        else:
            await not_found(scope, receive, send)

    router.default = fallback


def _claims(web: ASGIApp, scope: Scope) -> bool:
    from starlette.routing import Match

    assert isinstance(web, Starlette)
    return any(route.matches(scope)[0] != Match.NONE for route in web.router.routes)
