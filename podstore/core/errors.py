"""Typed errors of the core; each protocol maps them to its own envelope and status."""

from __future__ import annotations

# storage failures reach the protocols through the core, which re-exports them
from podstore.storage.errors import CorruptData, StorageError

__all__ = ["CorruptData", "StorageError"]  # and the errors below


class CoreError(Exception):
    status = 500
    title = "Internal error"

    def __init__(self, detail: str = "", **extra: object) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class Invalid(CoreError):
    status = 400
    title = "Invalid request"


class Unauthenticated(CoreError):
    status = 401
    title = "Authentication required"


class PermissionDenied(CoreError):
    status = 403
    title = "Permission denied"


class NotFound(CoreError):
    status = 404
    title = "Not found"


class Conflict(CoreError):
    status = 409
    title = "Conflict"


class PreconditionFailed(CoreError):
    status = 412
    title = "Precondition failed"


class PayloadTooLarge(CoreError):
    status = 413
    title = "Payload too large"


class RangeNotSatisfiable(CoreError):
    status = 416
    title = "Range not satisfiable"


class QuotaExceeded(CoreError):
    status = 507
    title = "Quota exceeded"


class TooManyRequests(CoreError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str = "", retry_after: int = 1) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after
