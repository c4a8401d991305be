"""AntOS's envelope, and every core error as the message the desktop shows: the one place
where core error kinds become AntOS answers.

AntOS answers everything with HTTP 200: `{"result": …, "error": false}` or
`{"error": "<message>"}`. Each action names the messages its failures carry (AntOS words
them per action: "File not found" from fileinfo, "Resource does not exist" from get); a
request the HTTP layer refuses (too large, stalled) and "down for now" keep their HTTP
status, so the browser's request fails rather than looking like an answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse, Response

from podstore.core.errors import (
    UNAVAILABLE,
    CoreError,
    CorruptData,
    Invalid,
    NotFound,
    PermissionDenied,
    StorageError,
    Unauthenticated,
    retry_after,
)

log = logging.getLogger("podstore.frontends")
UNAUTHORIZED = "User unauthorized. Please login"
UNKNOWN_REQUEST = "Uknown request"  # [sic], as AntOS words it
NO_WRITE = "You dont have write permission on this file"  # [sic]
READ_ONLY_SHARED = "Shared file is readonly"


class AntosError(Exception):
    """A failure answered with exactly this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadPath(AntosError):
    """A VFS path podstore cannot map: an unknown scheme, `..`, a control character."""

    def __init__(self) -> None:
        super().__init__("Resource not found")


@dataclass(frozen=True)
class Messages:
    """What one action says for each kind of failure; `{path}` is the path it was given."""

    not_found: str = "Resource does not exist"
    denied: str = NO_WRITE
    bad_path: str = "Resource not found"
    invalid: str | None = None  # None: the core's own words


def ok(result: Any) -> JSONResponse:
    return JSONResponse({"result": result, "error": False})


def fail(message: str, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def refusal(status: int, _title: str, detail: str) -> Response:
    """A request the HTTP layer refused (413, 408, 431, a path that is not UTF-8)."""
    return fail(detail, status)


def answer(exc: Exception, messages: Messages, path: str = "") -> Response | None:
    """The AntOS answer to `exc`, or None for an exception that is not a client's answer."""
    if isinstance(exc, BadPath):
        return fail(messages.bad_path.format(path=path))
    if isinstance(exc, AntosError):
        return fail(exc.message)
    if isinstance(exc, UNAVAILABLE):
        log.warning("unavailable: %s", exc)
        message = "The server cannot reach its storage for now; try again shortly"
        return fail(message, 503, {"Retry-After": str(max(1, retry_after(exc)))})
    if isinstance(exc, CorruptData):
        log.error("corrupt data: %s", exc)
        return fail("Stored data failed verification; ask the administrator to run fsck", 500)
    if isinstance(exc, StorageError):
        log.error("storage failure: %s", exc)
        return fail("The storage failed; try again", 503, {"Retry-After": "5"})
    if not isinstance(exc, CoreError):
        return None
    if isinstance(exc, Unauthenticated):
        return fail(UNAUTHORIZED)
    if isinstance(exc, NotFound):
        return fail(messages.not_found.format(path=path))
    if isinstance(exc, PermissionDenied):
        return fail(messages.denied.format(path=path))
    if isinstance(exc, Invalid) and messages.invalid is not None:
        return fail(messages.invalid.format(path=path))
    return fail(exc.detail)
