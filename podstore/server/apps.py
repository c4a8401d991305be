"""The front ends a listener can serve, by name: each an ASGI app factory over the Core.

`main` is the native API with the front ends mounted beside it (tus, WebDAV; the web UI,
FairOS, FileAgo and AntOS under their own paths as they are built), and `/readyz`
for load balancers. The listeners
DESIGN.md §10 plans for Hasura and BitDust name apps that are not built yet.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.routing import Mount
from starlette.types import ASGIApp

from podstore.core.service import Core
from podstore.frontends.native.app import create_app
from podstore.frontends.tus import routes as tus
from podstore.frontends.webdav.app import WebDavApp
from podstore.frontends.webdav.paths import PREFIX as DAV_PREFIX
from podstore.server.readiness import Readiness
from podstore.settings import ListenerSettings

AppFactory = Callable[[Core, ListenerSettings], ASGIApp]
PLANNED = ("hasura", "bitdust", "bitdust-ws")


def main_app(core: Core, listener: ListenerSettings) -> ASGIApp:
    app = create_app(core)
    if core.settings.frontends.tus.enabled:
        app.include_router(tus.router, prefix="/api/v1")
    if core.settings.frontends.webdav.enabled:
        # first of the routes: WebDAV requests skip matching the native API's ~120 routes
        app.router.routes.insert(0, Mount(DAV_PREFIX, app=WebDavApp(core)))
    return Readiness(app, core)


APPS: dict[str, AppFactory] = {"main": main_app}


def app_factory(name: str) -> AppFactory:
    if name in APPS:
        return APPS[name]
    if name in PLANNED:
        raise ValueError(f"the {name} front end is not built yet: disable its listener")
    raise ValueError(f"no front end named {name!r}; known: {', '.join(sorted(APPS))}")
