"""RFC 9457 problem+json bodies, for the front ends that answer errors with them."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

PROBLEM = "application/problem+json"
SLUGS = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    408: "timeout",
    409: "conflict",
    410: "gone",
    412: "precondition-failed",
    413: "too-large",
    416: "range-not-satisfiable",
    422: "invalid",
    429: "too-many-requests",
    431: "headers-too-large",
    460: "checksum-mismatch",
    500: "internal",
    503: "unavailable",
    507: "quota-exceeded",
}


def problem(
    status: int, title: str, detail: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = {
        "type": f"https://podstore.dev/problems/{SLUGS.get(status, 'error')}",
        "title": title,
        "status": status,
        "detail": detail or title,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def retry_headers(seconds: int) -> dict[str, str]:
    return {"Retry-After": str(max(1, seconds))}
