"""Every error the FileAgo dialect answers: `{"status": "error", "msg": …}` with the HTTP
status the shared table gives the core error's kind (401 for a missing or expired token)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from podstore.core.errors import (
    UNAVAILABLE,
    CoreError,
    CorruptData,
    Expired,
    StorageError,
    TooManyRequests,
    retry_after,
)
from podstore.frontends.http.problem import retry_headers
from podstore.frontends.http.statuses import status_of

log = logging.getLogger("podstore.frontends")


def envelope(status: int, msg: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"status": "error", "msg": msg}, status_code=status, headers=headers)


def render(status: int, _title: str, detail: str) -> Response:
    """For the shared request limits (431, 400, 408, 413)."""
    return envelope(status, detail)


def answer(exc: CoreError) -> Response:
    # the only thing that expires here is a token: an upload token, like the JWT, is 401
    status = 401 if isinstance(exc, Expired) else status_of(exc)[0]
    headers = retry_headers(exc.retry_after) if isinstance(exc, TooManyRequests) else None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="fileago"'}
    return envelope(status, exc.detail, headers)


async def _core_error(_request: Request, exc: CoreError) -> Response:
    return answer(exc)


async def _http_error(_request: Request, exc: HTTPException) -> Response:
    headers = dict(exc.headers) if exc.headers else None
    return envelope(exc.status_code, str(exc.detail), headers)


async def _invalid(_request: Request, _exc: RequestValidationError) -> Response:
    return envelope(400, "the request does not have the expected parameters")


async def _corrupt(request: Request, exc: CorruptData) -> Response:
    log.error("corrupt data serving %s: %s", request.url.path, exc)
    return envelope(500, "stored data failed verification")


async def _unavailable(request: Request, exc: Exception) -> Response:
    log.warning("unavailable serving %s: %s", request.url.path, exc)
    return envelope(
        503, "the service is unavailable; try again shortly", retry_headers(retry_after(exc))
    )


async def _storage(request: Request, exc: StorageError) -> Response:
    log.error("storage failure serving %s: %s", request.url.path, exc)
    return envelope(503, "the storage failed; try again", retry_headers(5))


Handler = Callable[[Request, Any], Awaitable[Response]]
HANDLERS: dict[type[Exception], Handler] = {
    CoreError: _core_error,
    RequestValidationError: _invalid,
    HTTPException: _http_error,
    CorruptData: _corrupt,
    StorageError: _storage,
    **{kind: _unavailable for kind in UNAVAILABLE},
}


def install(app: FastAPI) -> None:
    for kind, handler in HANDLERS.items():
        app.add_exception_handler(kind, handler)
