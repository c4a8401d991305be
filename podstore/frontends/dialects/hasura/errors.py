"""Every error the Hasura file API answers, in its envelope: `{"path","error"}` for a bad
request (400), `{"error"}` otherwise, with the statuses of Hasura's table (400, 401, 403,
404, 500) and the shared HTTP statuses for the kinds that table lacks (413, 416, 503, 507).
A request that conflicts with a file (an id taken) is a bad request, as Hasura had no 409."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from podstore.core.errors import (
    UNAVAILABLE,
    Conflict,
    CoreError,
    CorruptData,
    StorageError,
    retry_after,
)
from podstore.frontends.http.statuses import status_of

log = logging.getLogger("podstore.frontends")


class HookFailed(Exception):
    """The permission webhook did not answer 200 or 403: the request is refused (500)."""


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {"path": "$", "error": message} if status == 400 else {"error": message}
    return JSONResponse(body, status_code=status, headers=headers)


def render(status: int, _title: str, detail: str) -> Response:
    """A refusal of the shared HTTP layer (headers, path, body size or stall)."""
    return error(status, detail)


def response_for(request: Request, exc: Exception) -> Response:
    if isinstance(exc, Conflict):
        return error(400, exc.detail)
    if isinstance(exc, CoreError):
        status, _ = status_of(exc)
        headers = {"WWW-Authenticate": 'Bearer realm="podstore"'} if status == 401 else None
        return error(status, exc.detail, headers)
    if isinstance(exc, HookFailed):
        log.warning("permission webhook failed for %s: %s", request.url.path, exc)
        return error(500, f"the permission webhook failed: {exc}")
    if isinstance(exc, UNAVAILABLE):
        log.warning("unavailable serving %s: %s", request.url.path, exc)
        wait = {"Retry-After": str(max(1, retry_after(exc)))}
        return error(503, "the database or the blob store cannot be reached; try again", wait)
    if isinstance(exc, CorruptData):
        log.error("corrupt data serving %s: %s", request.url.path, exc)
        return error(500, "stored data failed verification")
    if isinstance(exc, StorageError):
        log.error("storage failure serving %s: %s", request.url.path, exc)
        return error(503, "the blob store failed; try again", {"Retry-After": "5"})
    log.exception("internal error serving %s", request.url.path, exc_info=exc)
    return error(500, "internal error")
