"""The express lane: a few hot routes served without FastAPI's per-request machinery.

On this machine FastAPI spends ~300 µs on a request before the endpoint runs (matching
against every route in order, solving dependencies, its own middleware); a KV get in the
core takes ~80 µs. The routes listed here are the very endpoint functions FastAPI
registers (and documents in OpenAPI): the lane only matches the path with Starlette's own
path compiler, passes the path parameters, `actor`, `core` and `request` by name (and
optional text parameters, default None, from the query string, as FastAPI would), and turns
errors into the same problem+json through `errors.response_for`. Every other request goes
on to `app` untouched. The endpoints call the core, so authorization is the same check.

The server puts the lane in front of the whole main listener (`guard` wraps the lane's own
requests in the same limits and observation as every request), so a lane request also
skips FastAPI's outer middleware and the dialects' path dispatch.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.convertors import Convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from podstore.core.service import Core
from podstore.frontends.http.deps import current_actor
from podstore.frontends.http.problem import problem
from podstore.frontends.native import errors

Endpoint = Callable[..., Awaitable[Response]]
Guard = Callable[[ASGIApp], ASGIApp]
SERVICES = ("actor", "core", "request")
log = logging.getLogger("podstore.express")


@dataclass(frozen=True)
class ExpressRoute:
    method: str
    path: str  # Starlette syntax, with the /api/v1 prefix
    endpoint: Endpoint


@dataclass(frozen=True)
class _Compiled:
    regex: re.Pattern[str]
    convertors: dict[str, Convertor[Any]]
    endpoint: Endpoint
    wants: frozenset[str]
    query: frozenset[str]  # optional text parameters from the query string

    @property
    def wants_core(self) -> bool:
        return "actor" in self.wants or "core" in self.wants


def _compile(route: ExpressRoute) -> _Compiled:
    regex, _, convertors = compile_path(route.path)
    parameters = inspect.signature(route.endpoint).parameters
    wants = frozenset(parameters)
    query = frozenset(
        name
        for name, p in parameters.items()
        if name not in convertors and name not in SERVICES and p.default is None
    )
    unknown = wants - set(convertors) - set(SERVICES) - query
    if unknown:
        raise TypeError(f"{route.endpoint.__name__} takes {sorted(unknown)}, which the lane lacks")
    return _Compiled(regex, convertors, route.endpoint, wants, query)


class ExpressLane:
    """Serves `routes` itself, through `guard`; every other request goes to `app`. `core`
    may be left out only when no route takes `actor` or `core`."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[ExpressRoute],
        core: Core | None = None,
        guard: Guard | None = None,
    ) -> None:
        self.app = app
        self.core = core
        self.routes: dict[str, list[_Compiled]] = {}
        for route in routes:
            compiled = _compile(route)
            if compiled.wants_core and core is None:
                raise TypeError(f"{route.endpoint.__name__} needs the core, which the lane lacks")
            self.routes.setdefault(route.method, []).append(compiled)
        self.guarded = guard(self._lane) if guard is not None else self._lane

    def _match(self, scope: Scope) -> tuple[_Compiled, re.Match[str]] | None:
        for route in self.routes.get(scope["method"], ()):
            match = route.regex.match(scope["path"])
            if match is not None:
                return route, match
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._match(scope) is not None:
            await self.guarded(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _lane(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._match(scope)  # again: the guard may have decoded the path anew
        if found is None:
            await self.app(scope, receive, send)
        else:
            await self._serve(*found, scope, receive, send)

    async def _serve(
        self, route: _Compiled, match: re.Match[str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        request = Request(scope, receive)
        try:
            response = await self._respond(route, match, request)
        except Exception:
            log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            response = problem(500, "Internal server error", "see the server's log")
        await response(scope, receive, send)

    async def _respond(self, route: _Compiled, match: re.Match[str], request: Request) -> Response:
        try:
            kwargs: dict[str, Any] = {
                name: route.convertors[name].convert(value)
                for name, value in match.groupdict().items()
            }
            if route.query and request.scope["query_string"]:
                params = request.query_params
                kwargs.update((name, params.get(name)) for name in route.query)
            if route.wants_core:
                core = self.core
                assert core is not None  # checked when the route was added
                if "actor" in route.wants:
                    kwargs["actor"] = await current_actor(request, core)
                if "core" in route.wants:
                    kwargs["core"] = core
            if "request" in route.wants:
                kwargs["request"] = request
            return await route.endpoint(**kwargs)
        except Exception as exc:
            answer = await errors.response_for(request, exc)
            if answer is None:
                raise
            return answer
