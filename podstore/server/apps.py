"""The front ends a listener can serve, by name: each an ASGI app factory over the Core.

`main` is the native API with the front ends mounted beside it (tus, WebDAV, FairOS, FileAgo
and AntOS under their own paths, the web UI as the fallback for every other path), and
`/readyz` for load balancers, behind the native API's express lane (its hot file and KV
routes skip the rest); `hasura` is the Hasura file API; `bitdust` and `bitdust-ws` are
BitDust's REST and WebSocket listeners; `antos` serves the AntOS desktop; `fairos` is FairOS
alone, served with Go's header case.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from podstore.core.service import Core
from podstore.frontends.dialects.antos import app as antos
from podstore.frontends.dialects.bitdust.rest import rest_app as bitdust_rest
from podstore.frontends.dialects.bitdust.ws import ws_app as bitdust_ws
from podstore.frontends.dialects.fairos import app as fairos
from podstore.frontends.dialects.fileago.app import FileAgoPaths
from podstore.frontends.dialects.hasura import app as hasura
from podstore.frontends.http.compress import CompressedResponses
from podstore.frontends.native.app import create_app, guarded, with_express_lane
from podstore.frontends.tus import routes as tus
from podstore.frontends.web import install as install_web
from podstore.frontends.webdav.app import WebDavApp
from podstore.frontends.webdav.paths import PREFIX as DAV_PREFIX
from podstore.server.readiness import Readiness
from podstore.settings import ListenerSettings

AppFactory = Callable[[Core, ListenerSettings], ASGIApp]


def main_app(core: Core, listener: ListenerSettings) -> ASGIApp:
    app = create_app(core)
    if core.settings.frontends.tus.enabled:
        app.include_router(tus.router, prefix="/api/v1")
    if core.settings.frontends.web.enabled:
        install_web(app, core)  # the fallback for paths no other front end serves
    served: ASGIApp = CompressedResponses(app)  # the native API and the web UI
    if core.settings.frontends.fairos.enabled:
        served = fairos.FairosMount(served, fairos.create_app(core))
    if core.settings.frontends.fileago.enabled:
        served = FileAgoPaths(served, core)
    if core.settings.frontends.antos.enabled:
        served = antos.mount(served, core)
    served = Readiness(served, core)
    if core.settings.frontends.webdav.enabled:
        # ahead of FastAPI and the dialects' dispatch, as the express lane is
        dav = CompressedResponses(guarded(WebDavApp(core), core))
        served = PrefixLane(DAV_PREFIX, dav, served)
    return with_express_lane(served, core)


class PrefixLane:
    """HTTP requests for `prefix` and the paths below it to `app`, all others to `rest`."""

    def __init__(self, prefix: str, app: ASGIApp, rest: ASGIApp) -> None:
        self.prefix, self.below, self.app, self.rest = prefix, prefix + "/", app, rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if path.startswith(self.below) or path == self.prefix:
            await self.app(scope, receive, send)
        else:
            await self.rest(scope, receive, send)


def hasura_app(core: Core, listener: ListenerSettings) -> ASGIApp:
    return hasura.create_app(core)


def fairos_app(core: Core, listener: ListenerSettings) -> ASGIApp:
    """FairOS alone, for the listener served with Go's header case (`CANONICAL_CASE`)."""
    return fairos.create_app(core)


APPS: dict[str, AppFactory] = {
    "main": main_app,
    "hasura": hasura_app,
    "antos": antos.listener_app,
    "bitdust": lambda core, listener: bitdust_rest(core),
    "bitdust-ws": lambda core, listener: bitdust_ws(core),
    "fairos": fairos_app,
}
# apps served by `canonical_http` (header names in canonical case) rather than granian
CANONICAL_CASE = frozenset({"fairos"})
# apps that keep a client's state in the process (BitDust's consumers, running transfers):
# with several workers only the first serves them, so a client always meets the same one
FIRST_WORKER_ONLY = frozenset({"bitdust", "bitdust-ws"})


def app_factory(name: str) -> AppFactory:
    if name in APPS:
        return APPS[name]
    raise ValueError(f"no front end named {name!r}; known: {', '.join(sorted(APPS))}")
