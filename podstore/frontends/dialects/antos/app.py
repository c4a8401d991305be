"""The AntOS front end as ASGI apps: its API beside the native one on the main listener
(and the desktop under `desktop_prefix`, if set), or the API and the desktop at `/` of a
listener of its own (app `antos`).

The desktop's REST base is the page's own URL, so its calls arrive as `//VFS/…` (or
`/antos//VFS/…` below a prefix): leading slashes are collapsed before routing.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from podstore.core.service import Core
from podstore.frontends.dialects.antos import errors, system, user, vfs
from podstore.frontends.dialects.antos.osdir import OsDir
from podstore.frontends.dialects.antos.routing import ACTIONS, INDEX, Call, index
from podstore.frontends.dialects.antos.volumes import Volumes
from podstore.frontends.http.limits import RequestLimits
from podstore.frontends.http.observe import ObserveMiddleware

CONTROLLERS = tuple(INDEX)
assert {"VFS", "user", "system"} <= set(CONTROLLERS), (vfs, user, system)


def api_path(path: str) -> str | None:
    """The API route of a request path (`//VFS/scandir` is `/VFS/scandir`), or None."""
    collapsed = "/" + path.lstrip("/")
    return collapsed if collapsed[1:].partition("/")[0] in CONTROLLERS else None


class AntosFrontEnd:
    def __init__(self, core: Core, *, desktop: bool, prefix: str = "") -> None:
        self.core = core
        os_dir = core.settings.frontends.antos.os_dir
        self.volumes = Volumes(core, OsDir(os_dir))
        self.prefix = prefix
        self.desktop = (
            StaticFiles(directory=os_dir, html=True, check_dir=False)
            if desktop and os_dir
            else None
        )
        limited = RequestLimits(
            self._serve,
            render=errors.refusal,
            max_body=core.settings.max_json_body,
            idle_seconds=core.settings.body_idle_timeout_seconds,
        )
        self.app: ASGIApp = ObserveMiddleware(limited)

    def claims(self, path: str) -> bool:
        """Whether a request of the main listener is AntOS's."""
        if self.prefix and (path == self.prefix or path.startswith(self.prefix + "/")):
            return True
        return api_path(path) is not None

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the apigateway's WebSocket: no server-side code
            await send({"type": "websocket.close", "code": 1008})
            return
        path = scope["path"]
        if self.prefix:
            path = path.removeprefix(self.prefix)
        route = api_path(path)
        if route is not None:
            response = await self._api(route, Request(scope, receive))
        elif self.desktop is None:
            response = errors.fail("Resource not found", 404)
        elif path == "":
            response = RedirectResponse(self.prefix + "/")
        else:
            response = await self._desktop_file(
                self.desktop, {**scope, "path": path, "root_path": ""}
            )
        await response(scope, receive, send)

    @staticmethod
    async def _desktop_file(desktop: StaticFiles, scope: Scope) -> Response:
        try:
            return await desktop.get_response(desktop.get_path(scope), scope)
        except HTTPException as exc:
            return PlainTextResponse(str(exc.detail), exc.status_code, headers=exc.headers)

    async def _api(self, route: str, request: Request) -> Response:
        controller, _, rest = route[1:].partition("/")
        name, _, args = rest.partition("/")
        found = ACTIONS.get((controller, name))
        if found is None:
            return index(controller)
        call = Call(request, self.core, self.volumes, args)
        try:
            return await found.handler(call)
        except Exception as exc:
            response = errors.answer(exc, found.messages, call.subject)
            if response is None:
                raise
            return response


def mount(app: ASGIApp, core: Core) -> ASGIApp:
    """`app` with AntOS's API paths (and the desktop's prefix) served by AntOS."""
    prefix = core.settings.frontends.antos.desktop_prefix
    antos = AntosFrontEnd(core, desktop=bool(prefix), prefix=prefix)

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and antos.claims(scope["path"]):
            await antos.app(scope, receive, send)
        else:
            await app(scope, receive, send)

    return dispatch


def listener_app(core: Core, _listener: object) -> ASGIApp:
    """A listener of its own: the desktop at `/`, its API beside it."""
    return AntosFrontEnd(core, desktop=True).app
