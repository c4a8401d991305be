"""Core errors as WebDAV answers: the HTTP status every HTTP front end gives a kind, a plain
text body (WebDAV clients show the status; a DAV:error element where RFC 4918 names a
condition), 401 with a Basic challenge and 503 with Retry-After."""

from __future__ import annotations

from starlette.responses import Response

from podstore.core.errors import UNAVAILABLE, CoreError, Locked, retry_after
from podstore.frontends.http.statuses import status_of
from podstore.frontends.webdav import xml
from podstore.frontends.webdav.paths import Location

CHALLENGE = 'Basic realm="podstore", charset="UTF-8"'
XML = "application/xml; charset=utf-8"


class DavError(Exception):
    """A WebDAV answer decided by the front end itself (405, 415, 502, a condition)."""

    def __init__(self, status: int, detail: str, condition: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.condition = condition


def plain(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return Response(detail + "\n", status, headers=headers, media_type="text/plain")


def condition(status: int, name: str, inner: str = "") -> Response:
    return Response(xml.error_body(name, inner), status, media_type=XML)


def answer(exc: Exception, pod: str | None) -> Response | None:
    """The answer to `exc`, or None for an error that is not the client's (a 500)."""
    if isinstance(exc, DavError):
        if exc.condition:
            return condition(exc.status, exc.condition)
        return plain(exc.status, exc.detail)
    if isinstance(exc, UNAVAILABLE):
        detail = "the database or the blob store cannot be reached; try again shortly"
        return plain(503, detail, {"Retry-After": str(max(1, retry_after(exc)))})
    if isinstance(exc, Locked):
        where = Location(pod, exc.root or "/").href(False) if pod else None
        return condition(423, "lock-token-submitted", xml.href(where) if where else "")
    if isinstance(exc, CoreError):
        status, _ = status_of(exc)
        if status == 500:
            return None
        headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else None
        if status == 429:
            headers = {"Retry-After": str(max(1, retry_after(exc)))}
        return plain(status, exc.detail, headers)
    return None
