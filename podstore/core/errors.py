"""Typed errors of the core, with no protocol in them.

Each front end maps these kinds to its own envelope and status in its `errors.py`; the
fields a front end may need (an upload's current offset, when something expired, how long
to wait) are typed attributes. Failures of the layers below reach the front ends through
this module: the metadata database's and the blob store's "unavailable" errors are kinds of
`UNAVAILABLE`, stored data that fails verification is `CorruptData`.
"""

from __future__ import annotations

from podstore.meta.errors import DatabaseUnavailable
from podstore.storage.errors import BackendUnavailable, CorruptData, StorageError

__all__ = [
    "UNAVAILABLE",
    "BackendUnavailable",
    "CorruptData",
    "DatabaseUnavailable",
    "StorageError",
]  # and the errors below


class CoreError(Exception):
    default_detail = "the request failed"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.default_detail)
        self.detail = detail or self.default_detail


class Invalid(CoreError):
    default_detail = "the request is not valid"


class ChecksumMismatch(Invalid):
    """Content does not match the checksum its sender declared for it."""

    default_detail = "the content does not match its checksum"


class Unauthenticated(CoreError):
    default_detail = "sign in first"


class PermissionDenied(CoreError):
    default_detail = "not allowed"


class NotFound(CoreError):
    default_detail = "not found"


class Expired(NotFound):
    """Something that existed and has expired (an upload, a link)."""

    def __init__(self, detail: str = "", *, expired_at: float | None = None) -> None:
        super().__init__(detail or "it has expired")
        self.expired_at = expired_at


class Conflict(CoreError):
    default_detail = "the request conflicts with the current state"


class OffsetMismatch(Conflict):
    """An append that did not start where the upload is."""

    def __init__(self, detail: str, *, current_offset: int) -> None:
        super().__init__(detail)
        self.current_offset = current_offset


class ChunksMissing(Conflict):
    """A commit of an upload whose declared chunks have not all arrived."""

    def __init__(self, detail: str, *, missing: list[int]) -> None:
        super().__init__(detail)
        self.missing = missing


class DeclarationIncomplete(Conflict):
    """Chunks sent past the part of the chunk list declared so far."""

    def __init__(self, detail: str, *, declared: int) -> None:
        super().__init__(detail)
        self.declared = declared


class Locked(Conflict):
    """The resource is locked (a WebDAV lock) and the request did not present its token."""

    default_detail = "the resource is locked"

    def __init__(self, detail: str = "", *, root: str | None = None) -> None:
        super().__init__(detail)
        self.root = root  # the path of the lock's root, in the caller's scope


class PreconditionFailed(CoreError):
    default_detail = "a precondition failed"


class PayloadTooLarge(CoreError):
    default_detail = "the request is too large"


class RangeNotSatisfiable(CoreError):
    default_detail = "the range is outside the content"


class QuotaExceeded(CoreError):
    default_detail = "the quota is used up"


class TooManyRequests(CoreError):
    default_detail = "too many requests"

    def __init__(self, detail: str = "", retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(CoreError):
    """A service the core depends on is down for now; the same request may succeed later."""

    default_detail = "the service is unavailable for now"

    def __init__(self, detail: str = "", retry_after: int = 5) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


# every way "down for now" reaches a front end (each answers them alike, with a retry delay)
UNAVAILABLE: tuple[type[Exception], ...] = (Unavailable, DatabaseUnavailable, BackendUnavailable)
RETRY_AFTER_SECONDS = 5


def retry_after(exc: Exception) -> int:
    """Seconds a client should wait before sending the same request again."""
    return int(getattr(exc, "retry_after", RETRY_AFTER_SECONDS))
