"""The ASGI application: native API, health, metrics; built by `create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.responses import JSONResponse, Response

from podstore import __version__
from podstore.core.service import Core
from podstore.frontends.http.limits import RequestLimits
from podstore.frontends.http.observe import (
    REGISTRY,
    ObserveMiddleware,
    StorageUsedCollector,
    configure_logging,
    metrics_text,
)
from podstore.frontends.native import (
    accounts,
    docs,
    files,
    kv,
    nodes,
    pods,
    problems,
    public,
    sharing,
    social,
    tree,
)
from podstore.frontends.native import uploads as uploads_api
from podstore.frontends.native.express import ExpressLane
from podstore.frontends.tus import routes as tus_api
from podstore.settings import Settings

log = logging.getLogger("podstore.server")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        core = Core(settings)
        app.state.core = core
        collector = StorageUsedCollector(core.storage_used)
        REGISTRY.register(collector)  # type: ignore[arg-type]
        log.info(
            "podstore ready",
            extra={"fields": {"url": settings.base_url, "data": str(settings.data_dir)}},
        )
        try:
            yield
        finally:
            REGISTRY.unregister(collector)  # type: ignore[arg-type]
            await core.close()

    app = FastAPI(
        title="podstore",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    problems.install(app)
    for module in (accounts, pods, tree, files, kv, docs, nodes, sharing, public, social):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(uploads_api.router, prefix="/api/v1")  # resumable uploads (issue 6)
    app.include_router(tus_api.router, prefix="/api/v1")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(metrics_text(), media_type="text/plain; version=0.0.4")

    app.add_middleware(ExpressLane, routes=[*kv.EXPRESS, *files.EXPRESS])
    app.add_middleware(
        RequestLimits,
        render=problems.problem,
        max_body=settings.max_json_body,
        idle_seconds=settings.body_idle_timeout_seconds,
    )
    app.add_middleware(ObserveMiddleware)
    return app
