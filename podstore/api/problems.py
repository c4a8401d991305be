"""RFC 9457 problem+json responses for every error the native API returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from podstore.core.errors import CoreError, CorruptData, StorageError, TooManyRequests

log = logging.getLogger("podstore.api")
PROBLEM = "application/problem+json"
_SLUGS = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "too-large",
    416: "range-not-satisfiable",
    422: "invalid",
    429: "too-many-requests",
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


def install(app: FastAPI) -> None:
    @app.exception_handler(CoreError)
    async def core_error(_request: Request, exc: CoreError) -> Response:
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        )
        if exc.status == 401:
            headers = {"WWW-Authenticate": 'Bearer realm="podstore"'}
        return problem(exc.status, exc.title, exc.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> Response:
        return problem(
            422,
            "Invalid request",
            "the request does not have the expected shape",
            errors=_validation_detail(exc),
        )

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> Response:
        return problem(
            exc.status_code,
            str(exc.detail),
            str(exc.detail),
            dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(CorruptData)
    async def corrupt(request: Request, exc: CorruptData) -> Response:
        log.error("corrupt data serving %s: %s", request.url.path, exc)
        return problem(500, "Stored data failed verification", "run `podstore fsck`")

    @app.exception_handler(StorageError)
    async def storage(request: Request, exc: StorageError) -> Response:
        log.error("storage failure serving %s: %s", request.url.path, exc)
        return problem(503, "Storage unavailable", "the blob store failed; try again")
