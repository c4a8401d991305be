"""Core errors as tus answers them: problem+json with the tus headers, and tus's own
statuses where the protocol has one (410 for an expired upload, 460 for a checksum
mismatch, 409 with the upload's current offset)."""

from __future__ import annotations

from starlette.responses import Response

from podstore.core.errors import (
    UNAVAILABLE,
    ChecksumMismatch,
    CoreError,
    Expired,
    OffsetMismatch,
    retry_after,
)
from podstore.frontends.http.problem import problem, retry_headers

VERSION = "1.0.0"

# the statuses tus defines for itself; every other kind answers as the native API does
TUS_STATUS: dict[type[CoreError], tuple[int, str]] = {
    Expired: (410, "Upload expired"),
    ChecksumMismatch: (460, "Checksum mismatch"),
}


def tus_headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": VERSION, "Cache-Control": "no-store", **extra}


def is_tus_error(exc: Exception) -> bool:
    """Whether tus answers `exc` itself (else it propagates to the app's handlers)."""
    return isinstance(exc, (CoreError, *UNAVAILABLE))


def tus_error(exc: Exception, *, head: bool, close: bool, base: tuple[int, str] | None) -> Response:
    """The tus answer to `exc` (one that `is_tus_error`); `base` is the status and title
    HTTP front ends give its kind."""
    headers = tus_headers()
    if close:
        headers["Connection"] = "close"
    if isinstance(exc, UNAVAILABLE):
        status, title = 503, "Service unavailable"
        headers.update(retry_headers(retry_after(exc)))
        detail = "the database or the blob store cannot be reached; try again shortly"
    else:
        assert isinstance(exc, CoreError)
        status, title = next(
            (TUS_STATUS[k] for k in type(exc).__mro__ if k in TUS_STATUS), base or (500, "Error")
        )
        detail = exc.detail
        if isinstance(exc, OffsetMismatch):
            headers["Upload-Offset"] = str(exc.current_offset)
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="podstore"'
    if head:
        return Response(status_code=status, headers=headers)
    return problem(status, title, detail, headers=headers)
