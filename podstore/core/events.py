"""The per-user event stream (owned by the events work; see the module that replaces this).

CONTRACT used by the rest of core, inside the write transaction of the change:
    emit(conn, recipients, kind, data)  -> one event per recipient user, each with the next
                                           number of that user's monotonic sequence.
Notifications to listeners go out only after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import Connection


def emit(conn: Connection, recipients: Iterable[str], kind: str, data: dict[str, Any]) -> None:
    """Record `kind` with `data` in the stream of every user in `recipients`."""
    del conn, recipients, kind, data
