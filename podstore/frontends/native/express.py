"""The express lane: a few hot routes served without FastAPI's per-request machinery.

On this machine FastAPI spends ~300 µs on a request before the endpoint runs (matching
against every route in order, solving dependencies, its own middleware); a KV get in the
core takes ~80 µs. The routes listed here are the very endpoint functions FastAPI
registers (and documents in OpenAPI): the lane only matches the path with Starlette's own
path compiler, passes the path parameters, `actor`, `core` and `request` by name (and
optional text parameters, default None, from the query string, as FastAPI would), and turns
errors into the same problem+json through `errors.response_for`. Every other request goes
on to FastAPI untouched. The endpoints call the core, so authorization is the same check.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.convertors import Convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from podstore.frontends.http.deps import current_actor
from podstore.frontends.native import errors

Endpoint = Callable[..., Awaitable[Response]]
SERVICES = ("actor", "core", "request")


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
    def __init__(self, app: ASGIApp, routes: Sequence[ExpressRoute]) -> None:
        self.app = app
        self.routes: dict[str, list[_Compiled]] = {}
        for route in routes:
            self.routes.setdefault(route.method, []).append(_compile(route))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.routes.get(scope["method"], ()):
                match = route.regex.match(scope["path"])
                if match is not None:
                    await self._serve(route, match, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _serve(
        self, route: _Compiled, match: re.Match[str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        request = Request(scope, receive)
        try:
            kwargs: dict[str, Any] = {
                name: route.convertors[name].convert(value)
                for name, value in match.groupdict().items()
            }
            if route.query and scope["query_string"]:
                params = request.query_params
                kwargs.update((name, params.get(name)) for name in route.query)
            if route.wants_core:
                core = request.app.state.core
                if "actor" in route.wants:
                    kwargs["actor"] = await current_actor(request, core)
                if "core" in route.wants:
                    kwargs["core"] = core
            if "request" in route.wants:
                kwargs["request"] = request
            response = await route.endpoint(**kwargs)
        except Exception as exc:
            problem = await errors.response_for(request, exc)
            if problem is None:
                raise
            response = problem
        await response(scope, receive, send)
