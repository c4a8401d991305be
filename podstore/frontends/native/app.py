"""The native API's ASGI application, with health and metrics, over a Core it is given.

The server (`podstore/server/`) builds the Core, mounts the other front ends of the main
listener on this app, and owns the Core's life: the app has no lifespan of its own.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from podstore import __version__
from podstore.core.service import Core
from podstore.frontends.http import openapi
from podstore.frontends.http.limits import RequestLimits
from podstore.frontends.http.observe import ObserveMiddleware, metrics_text
from podstore.frontends.http.problem import problem
from podstore.frontends.native import (
    accounts,
    app_passwords,
    docs,
    errors,
    files,
    kv,
    nodes,
    pods,
    public,
    sharing,
    social,
    tree,
)
from podstore.frontends.native import uploads as uploads_api
from podstore.frontends.native.express import ExpressLane


def create_app(core: Core) -> FastAPI:
    app = FastAPI(
        title="podstore",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.core = core
    errors.install(app)
    openapi.install(app)
    for module in (
        accounts,
        app_passwords,
        pods,
        tree,
        files,
        kv,
        docs,
        nodes,
        sharing,
        public,
        social,
    ):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(uploads_api.router, prefix="/api/v1")  # resumable uploads (issue 6)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(metrics_text(), media_type="text/plain; version=0.0.4")

    app.add_middleware(
        RequestLimits,
        render=problem,
        max_body=core.settings.max_json_body,
        idle_seconds=core.settings.body_idle_timeout_seconds,
    )
    app.add_middleware(ObserveMiddleware)
    return app


def guarded(app: ASGIApp, core: Core) -> ASGIApp:
    """`app` under the request limits and observation the native app's own routes have:
    for what the server serves ahead of the native app."""
    limits = RequestLimits(
        app,
        render=problem,
        max_body=core.settings.max_json_body,
        idle_seconds=core.settings.body_idle_timeout_seconds,
    )
    return ObserveMiddleware(limits)


def with_express_lane(app: ASGIApp, core: Core) -> ASGIApp:
    """`app` with the native API's hot routes (file and KV reads and writes) served ahead of
    it, `guarded` as the native app's own routes are."""
    routes = [*kv.EXPRESS, *files.EXPRESS]
    return ExpressLane(app, routes, core=core, guard=lambda lane: guarded(lane, core))
