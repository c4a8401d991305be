"""Every failure as BitDust's `ERROR` envelope, in one place.

BitDust answers HTTP 200 whatever happened; the kind of a core error goes in `reason`
(`not_found`, `conflict`, …) so that a script can tell them apart without parsing texts.
"""

from __future__ import annotations

import logging

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
)
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, error

log = logging.getLogger("podstore.bitdust")

ACCESS_DENIED = "access denied"
REASONS: dict[type[CoreError], str] = {
    Invalid: "invalid",
    Unauthenticated: "access_denied",
    PermissionDenied: "access_denied",
    NotFound: "not_found",
    Conflict: "conflict",
    PayloadTooLarge: "too_large",
    QuotaExceeded: "quota_exceeded",
    TooManyRequests: "too_many_requests",
}


def reply_for(exc: Exception) -> Reply:
    """The envelope for anything an API method raised; a bug is logged, never a crash."""
    if isinstance(exc, Failure):
        return error(exc.error, reason=exc.reason)
    if isinstance(exc, UNAVAILABLE):
        return error("the server is unavailable for now, try again later", reason="unavailable")
    if isinstance(exc, Unauthenticated | PermissionDenied):
        return error(ACCESS_DENIED)
    if isinstance(exc, CoreError):
        reason = next((REASONS[k] for k in type(exc).__mro__ if k in REASONS), "error")
        return error(str(exc), reason=reason)
    log.exception("BitDust API method failed", exc_info=exc)
    return error("internal error", reason="internal")
