"""Access to a pod's structured data (KV tables, document collections) for kv and docs.

It is `authorize`, the one permission check, plus one rule: tables and collections belong
to the whole pod, so only members (directly or through a group) reach them; a share of one
folder or a public link does not, and such a scope is reported as not found.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from podstore.core.access.authorize import PodAccess, Role, authorize
from podstore.core.context import Actor
from podstore.core.errors import NotFound


def pod_data_access(conn: Connection, actor: Actor, pod: str, *, write: bool) -> PodAccess:
    """Viewers read, editors write; anything else is NotFound or PermissionDenied."""
    access = authorize(conn, actor, pod, Role.EDITOR if write else Role.VIEWER)
    if not getattr(access, "is_member", True):
        raise NotFound(f"no pod {pod!r}")
    return access
