"""FairOS's error envelope, in one place: `{"message": "<op>: <err>"}` (with `"code"` for the
v0.8 generation) and its statuses; core error kinds map to FairOS's texts where FairOS has one.
"""

from __future__ import annotations

from starlette.responses import Response

from podstore.core.errors import (
    UNAVAILABLE,
    Conflict,
    CoreError,
    Invalid,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    QuotaExceeded,
    TooManyRequests,
    Unauthenticated,
    retry_after,
)
from podstore.frontends.dialects.fairos.envelope import Generation, respond
from podstore.frontends.http.statuses import status_of


class FairError(Exception):
    """An answer FairOS gives in its own words: `<op>: <text>` with `status`."""

    def __init__(self, status: int, text: str, *, bare: bool = False) -> None:
        super().__init__(text)
        self.status, self.text, self.bare = status, text, bare


def missing(name: str) -> FairError:
    return FairError(400, f'"{name}" argument missing')


# FairOS answers a forbidden write to a shared pod 400 with this, not 403
READ_ONLY = "operation not permitted: read only pod"
STATUS_OF_KIND: dict[type[CoreError], int] = {
    Invalid: 400,
    Conflict: 400,  # "already present" and the like are 400 in FairOS
    Unauthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    PayloadTooLarge: 413,
    QuotaExceeded: 507,
    TooManyRequests: 429,
}


def error_response(
    op: str,
    exc: Exception,
    generation: Generation,
    not_found: str | None = None,
    *,
    in_group: bool = False,
) -> Response:
    """The FairOS answer to an error raised while serving `op` (on a group's drive when
    `in_group`: too little permission there is a plain 403)."""
    if isinstance(exc, FairError):
        text = exc.text if exc.bare else f"{op}: {exc.text}"
        return respond(generation.message(text, exc.status), exc.status)
    if isinstance(exc, UNAVAILABLE) or (isinstance(exc, CoreError) and status_of(exc)[0] == 503):
        body = generation.message(f"{op}: service unavailable, try again", 503)
        return respond(body, 503, {"Retry-After": str(retry_after(exc))})
    assert isinstance(exc, CoreError)
    status = next((s for k, s in STATUS_OF_KIND.items() if isinstance(exc, k)), 500)
    text = exc.detail or type(exc).__name__
    if isinstance(exc, NotFound) and text.startswith("no pod"):
        text = "pod does not exist"
    elif isinstance(exc, NotFound) and not_found:
        text = not_found
    elif isinstance(exc, PermissionDenied) and (
        ("read" in text and "only" in text) or (text.startswith("this needs") and not in_group)
    ):  # a pod the user only views is, in FairOS's words, a read-only (received) pod
        text, status = READ_ONLY, 400
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    return respond(generation.message(f"{op}: {text}", status), status, headers)
