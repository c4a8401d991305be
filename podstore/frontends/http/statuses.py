"""The HTTP status and title every HTTP front end gives a core error kind, unless its own
`errors.py` says otherwise (tus answers an expired upload 410, a dialect may answer 200 with
an error envelope)."""

from __future__ import annotations

from podstore.core.errors import (
    Conflict,
    CoreError,
    Invalid,
    Locked,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    PreconditionFailed,
    QuotaExceeded,
    RangeNotSatisfiable,
    TooManyRequests,
    Unauthenticated,
    Unavailable,
)

# kind -> (status, title); a subclass takes its nearest listed ancestor's
STATUS: dict[type[CoreError], tuple[int, str]] = {
    Invalid: (400, "Invalid request"),
    Unauthenticated: (401, "Authentication required"),
    PermissionDenied: (403, "Permission denied"),
    NotFound: (404, "Not found"),
    Conflict: (409, "Conflict"),
    Locked: (423, "Locked"),
    PreconditionFailed: (412, "Precondition failed"),
    PayloadTooLarge: (413, "Payload too large"),
    RangeNotSatisfiable: (416, "Range not satisfiable"),
    TooManyRequests: (429, "Too many requests"),
    QuotaExceeded: (507, "Quota exceeded"),
    Unavailable: (503, "Service unavailable"),
}


def status_of(exc: CoreError) -> tuple[int, str]:
    """(status, title) of the nearest listed kind of `exc`; 500 for an unlisted one."""
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500, "Internal error"
