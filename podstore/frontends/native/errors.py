"""Every error the native API answers, as RFC 9457 problem+json: the one place where core
error kinds become HTTP statuses for it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from podstore.core.errors import (
    UNAVAILABLE,
    CoreError,
    CorruptData,
    StorageError,
    TooManyRequests,
    retry_after,
)
from podstore.frontends.http.problem import problem, retry_headers
from podstore.frontends.http.statuses import status_of

log = logging.getLogger("podstore.frontends")


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))}
        for err in exc.errors()
    ]


async def _core_error(_request: Request, exc: CoreError) -> Response:
    status, title = status_of(exc)
    headers = retry_headers(exc.retry_after) if isinstance(exc, TooManyRequests) else None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="podstore"'}
    return problem(status, title, exc.detail, headers)


async def _invalid(_request: Request, exc: RequestValidationError) -> Response:
    return problem(
        422,
        "Invalid request",
        "the request does not have the expected shape",
        errors=_validation_detail(exc),
    )


async def _http_error(_request: Request, exc: HTTPException) -> Response:
    return problem(
        exc.status_code,
        str(exc.detail),
        str(exc.detail),
        dict(exc.headers) if exc.headers else None,
    )


async def _corrupt(request: Request, exc: CorruptData) -> Response:
    log.error("corrupt data serving %s: %s", request.url.path, exc)
    return problem(500, "Stored data failed verification", "run `podstore fsck`")


async def _unavailable(request: Request, exc: Exception) -> Response:
    log.warning("unavailable serving %s: %s", request.url.path, exc)
    return problem(
        503,
        "Service unavailable",
        "the database or the blob store cannot be reached; try again shortly",
        retry_headers(retry_after(exc)),
    )


async def _storage(request: Request, exc: StorageError) -> Response:
    log.error("storage failure serving %s: %s", request.url.path, exc)
    return problem(503, "Storage unavailable", "the blob store failed; try again", retry_headers(5))


Handler = Callable[[Request, Any], Awaitable[Response]]
HANDLERS: dict[type[Exception], Handler] = {
    CoreError: _core_error,
    RequestValidationError: _invalid,
    HTTPException: _http_error,
    CorruptData: _corrupt,
    StorageError: _storage,
    **{kind: _unavailable for kind in UNAVAILABLE},
}


async def response_for(request: Request, exc: Exception) -> Response | None:
    """The problem response for `exc` (the most specific handler wins), or None."""
    for kind in type(exc).__mro__:
        handler = HANDLERS.get(kind)
        if handler is not None:
            return await handler(request, exc)
    return None


def install(app: FastAPI) -> None:
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
