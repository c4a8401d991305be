"""RFC 9457 problem+json responses for every error the native API returns."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from podstore.core.errors import CoreError, CorruptData, StorageError, TooManyRequests

log = logging.getLogger("podstore.frontends")
PROBLEM = "application/problem+json"
_SLUGS = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    408: "timeout",
    409: "conflict",
    412: "precondition-failed",
    413: "too-large",
    416: "range-not-satisfiable",
    422: "invalid",
    429: "too-many-requests",
    431: "headers-too-large",
    500: "internal",
    503: "unavailable",
    507: "quota-exceeded",
}


def problem(
    status: int, title: str, detail: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {
        "type": f"https://podstore.dev/problems/{_SLUGS.get(status, 'error')}",
        "title": title,
        "status": status,
        "detail": detail or title,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))}
        for err in exc.errors()
    ]


async def _core_error(_request: Request, exc: CoreError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    if exc.status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="podstore"'}
    return problem(exc.status, exc.title, exc.detail, headers)


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


async def _storage(request: Request, exc: StorageError) -> Response:
    log.error("storage failure serving %s: %s", request.url.path, exc)
    return problem(503, "Storage unavailable", "the blob store failed; try again")


Handler = Callable[[Request, Any], Awaitable[Response]]
HANDLERS: dict[type[Exception], Handler] = {
    CoreError: _core_error,
    RequestValidationError: _invalid,
    HTTPException: _http_error,
    CorruptData: _corrupt,
    StorageError: _storage,
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
