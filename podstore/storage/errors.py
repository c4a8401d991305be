"""Errors raised by the storage layer."""


class StorageError(Exception):
    """Base class of every storage failure."""


class BlobNotFound(StorageError, KeyError):
    """No blob of that name."""


class CorruptData(StorageError):
    """Stored bytes that do not authenticate or do not parse: never returned as data."""


class InvalidName(StorageError, ValueError):
    """A blob name that does not pass `validate_name`."""


class BackendUnavailable(StorageError):
    """The backend could not be reached or answered with a transient failure."""


class BackendTimeout(BackendUnavailable):
    """The backend took the request but did not answer in time: a write may have happened."""


class ChecksumMismatch(StorageError, ValueError):
    """Data handed in does not match the hash its sender declared for it."""
