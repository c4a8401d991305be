"""The audit log of security-relevant actions (owned by the events work).

CONTRACT: audit(conn, user_id, action, detail, address=None) inside the transaction of the
action; `user_id` is whose log it lands in (the owner of the account, pod or item).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection


def audit(conn: Connection, user_id: str, action: str, detail: dict[str, Any],
          address: str | None = None) -> None:
    del conn, user_id, action, detail, address
