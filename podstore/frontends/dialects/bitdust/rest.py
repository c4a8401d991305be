"""The REST listener (8180): BitDust's routes in their three spellings, loopback peers only,
the `api_secret` header, HTTP 200 with the envelope whatever happens."""

from __future__ import annotations

import ipaddress
import json
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from podstore.core.errors import CoreError, PayloadTooLarge
from podstore.core.service import Core
from podstore.frontends.dialects.bitdust import methods
from podstore.frontends.dialects.bitdust.engine import engine_of
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, error, render
from podstore.frontends.dialects.bitdust.errors import ACCESS_DENIED, reply_for
from podstore.frontends.dialects.bitdust.registry import Call, invoke
from podstore.frontends.dialects.bitdust.routes import ROUTES, Route
from podstore.frontends.http.bodies import read_body
from podstore.frontends.http.limits import RequestLimits

HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE",
}
# REST input names that differ from the API method's argument names, per method
RENAMED: dict[str, dict[str, str]] = {
    "key_create": {"alias": "key_alias"},
    "file_download_start": {"destination_folder": "destination_path"},
    "files_uploads": {"running": "include_running", "pending": "include_pending"},
    "files_list": {"uploads": "include_uploads", "downloads": "include_downloads"},
    "file_info": {"uploads": "include_uploads", "downloads": "include_downloads"},
    "shares_list": {"active": "only_active", "mine": "include_mine", "granted": "include_granted"},
    "identity_get": {"xml_source": "include_xml_source"},
    "user_search": {"nickname": "nickname"},
}


def _compile(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(f"^{pattern}$")


COMPILED: list[tuple[str, re.Pattern[str], Route]] = [
    (route.method, _compile(path), route) for route in ROUTES for path in route.paths
]
assert methods.METHODS  # every route's method is registered (checked in the route tests)


def is_loopback(scope: Scope) -> bool:
    client = scope.get("client")
    try:
        return client is not None and ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


def answer(reply: Reply, started: float) -> Response:
    return Response(render(reply, started), 200, HEADERS, media_type="application/json")


def _missing(route: Route, given: dict[str, Any], from_body: bool, empty: bool) -> str | None:
    """BitDust's text for the first mandatory input `given` lacks, if any."""
    if not route.mandatory:
        return None
    if from_body and empty:
        flat = [m for m in route.mandatory if isinstance(m, str)]
        return f"mandatory json input missed: {flat or list(route.mandatory)}"
    for need in route.mandatory:
        if isinstance(need, tuple):
            if not any(n in given for n in need):
                return f"one of mandatory parameters missed: {need}"
        elif need not in given:
            if not from_body:
                return f"mandatory url query argument missed: {need}"
            return f"one of mandatory parameters missed: {[m for m in route.mandatory]}"
    return None


async def _inputs(request: Request, route: Route, limit: int) -> dict[str, Any]:
    given: dict[str, Any] = dict(request.query_params)
    from_body = request.method != "GET"
    body = await read_body(request, limit) if from_body else b""
    if body.strip():
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # nested too deep for the parser is invalid too
            raise Failure("invalid json input") from None
        if not isinstance(data, dict):
            raise Failure("invalid json input")
        given.update(data)
    missing = _missing(route, given, from_body, not body.strip())
    if missing:
        raise Failure(missing)
    renames = RENAMED.get(route.api, {})
    return {renames.get(k, k): v for k, v in given.items()}


class BitDustRest:
    def __init__(self, core: Core) -> None:
        self.core = core
        self.engine = engine_of(core)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = time.monotonic()
        request = Request(scope, receive)
        response = answer(await self.reply(request), started)
        await response(scope, receive, send)

    async def reply(self, request: Request) -> Reply:
        if not is_loopback(request.scope) or not self.engine.settings.enabled:
            return error(ACCESS_DENIED)
        try:
            caller = await self.engine.caller(request.headers.get("api_secret"))
        except CoreError as exc:
            return reply_for(exc)
        path = request.url.path
        matched = next(
            (
                (route, found)
                for method, pattern, route in COMPILED
                if method == request.method and (found := pattern.match(path))
            ),
            None,
        )
        if matched is None:
            return error(f"method {request.method}:{path} was not found")
        route, found = matched
        try:
            kwargs = await _inputs(request, route, self.core.settings.max_json_body)
        except (CoreError, Failure) as exc:
            if isinstance(exc, PayloadTooLarge):
                return error(str(exc), reason="too_large")
            return reply_for(exc)
        kwargs.update(found.groupdict())
        return await invoke(Call(self.core, self.engine, caller), route.api, kwargs)


def rest_app(core: Core) -> ASGIApp:
    def refused(status: int, title: str, detail: str) -> Response:
        return answer(error(detail, reason=title.lower().replace(" ", "_")), time.monotonic())

    settings = core.settings
    return RequestLimits(
        BitDustRest(core), refused, settings.max_json_body, settings.body_idle_timeout_seconds
    )
