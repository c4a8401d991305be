"""Core errors as the web UI shows them: the one place where kinds become pages.

A page that cannot be shown answers the kind's HTTP status (`frontends/http/statuses.py`)
with a plain page; "log in first" sends the browser to the login page. A form that fails
goes back where it came from with the error as a message (`actions.py`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from podstore.core.errors import (
    UNAVAILABLE,
    CoreError,
    TooManyRequests,
    Unauthenticated,
    retry_after,
)
from podstore.frontends.http.problem import retry_headers
from podstore.frontends.http.statuses import status_of
from podstore.frontends.web.render import render


def message_of(exc: CoreError) -> str:
    return str(exc.detail or status_of(exc)[1])


async def core_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, CoreError):
        raise exc
    if isinstance(exc, Unauthenticated) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
    return refusal(request, exc, "/")


def refusal(request: Request, exc: CoreError, back: str) -> Response:
    """The error page for `exc`, with its status and a link `back`."""
    status, title = status_of(exc)
    headers = retry_headers(exc.retry_after) if isinstance(exc, TooManyRequests) else None
    context = {"title": title, "message": message_of(exc), "back": back}
    return render(request, "error.html", context, status, headers)


async def unavailable(request: Request, exc: Exception) -> Response:
    return render(
        request,
        "error.html",
        {"title": "Down for now", "message": "the server cannot reach its storage: try again"},
        503,
        retry_headers(retry_after(exc)),
    )


HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    CoreError: core_error,
    **{kind: unavailable for kind in UNAVAILABLE},
}
