"""The front ends a listener can serve, by name: each an ASGI app factory over the Core.

`main` is the native API with the front ends mounted beside it (tus and FairOS today; the
web UI, WebDAV, FileAgo and AntOS under their own paths as they are built), and `/readyz`
for load balancers. `fairos` is FairOS alone, served with Go's header case. The listeners
DESIGN.md §10 plans for Hasura and BitDust name apps that are not built yet.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp

from podstore.core.service import Core
from podstore.frontends.dialects.fairos import app as fairos
from podstore.frontends.native.app import create_app
from podstore.frontends.tus import routes as tus
from podstore.server.readiness import Readiness
from podstore.settings import ListenerSettings

AppFactory = Callable[[Core, ListenerSettings], ASGIApp]
PLANNED = ("hasura", "bitdust", "bitdust-ws")


def main_app(core: Core, listener: ListenerSettings) -> ASGIApp:
    app = create_app(core)
    if core.settings.frontends.tus.enabled:
        app.include_router(tus.router, prefix="/api/v1")
    if core.settings.frontends.fairos.enabled:
        return Readiness(fairos.FairosMount(app, fairos.create_app(core)), core)
    return Readiness(app, core)


def fairos_app(core: Core, listener: ListenerSettings) -> ASGIApp:
    """FairOS alone, for the listener served with Go's header case (`CANONICAL_CASE`)."""
    return fairos.create_app(core)


APPS: dict[str, AppFactory] = {"main": main_app, "fairos": fairos_app}
# apps served by `canonical_http` (header names in canonical case) rather than granian
CANONICAL_CASE = frozenset({"fairos"})


def app_factory(name: str) -> AppFactory:
    if name in APPS:
        return APPS[name]
    if name in PLANNED:
        raise ValueError(f"the {name} front end is not built yet: disable its listener")
    raise ValueError(f"no front end named {name!r}; known: {', '.join(sorted(APPS))}")
