"""Errors of the metadata store that the layers above must tell apart."""

from __future__ import annotations


class UniqueViolation(Exception):
    """A write hit a unique constraint; callers map it to a Conflict."""


class DatabaseUnavailable(Exception):
    """The database could not be reached, dropped the connection or is shutting down.

    Raised instead of the driver's error. A write that fails this way may or may not have
    committed (the connection can drop during COMMIT): nothing retries it blindly."""
