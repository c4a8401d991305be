"""A pod's structured-data containers (KV tables, document collections): the access rule
and the one implementation of list, find, create, stat-count and delete they share.

Tables and collections belong to the whole pod, so only members (directly or through a
group) reach them, and a public link on the pod's root (a public pod, FairOS's /public-kv)
reads them; a share of one folder or a link to anything less does not, and such a scope is
reported as not found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import PodAccess, Role, authorize
from podstore.core.context import Actor, new_id, now
from podstore.core.errors import Conflict, NotFound
from podstore.meta.prepared import Prepared
from podstore.meta.schema import pods


def pod_data_access(conn: Connection, actor: Actor, pod: str, *, write: bool) -> PodAccess:
    """Viewers read, editors write; anything else is NotFound or PermissionDenied."""
    access = authorize(conn, actor, pod, Role.EDITOR if write else Role.VIEWER)
    if not getattr(access, "is_member", True) and not (
        not write and _links_whole_pod(conn, access)
    ):
        raise NotFound(f"no pod {pod!r}")
    return access


def _links_whole_pod(conn: Connection, access: PodAccess) -> bool:
    if access.scope != "link" or access.upload_only:
        return False
    root = conn.execute(sa.select(pods.c.root_id).where(pods.c.id == access.pod_id)).scalar()
    return bool(root == access.root_id)


@dataclass(frozen=True)
class ContainerKind:
    """One kind of container: its table, the table of its entries and what hangs off it."""

    label: str  # "kv table", "document collection": in messages
    table: sa.Table  # has id, pod_id, name, created_at
    entries: sa.Table  # counted for `count`
    owner_column: str  # the entries' (and dependents') column naming the container
    dependents: tuple[sa.Table, ...] = ()  # deleted, with the entries, before the container
    by_name: Prepared = field(init=False, compare=False)

    def __post_init__(self) -> None:
        t = self.table
        lookup = sa.select(t).where(
            t.c.pod_id == sa.bindparam("pod_id"), t.c.name == sa.bindparam("name")
        )
        object.__setattr__(self, "by_name", Prepared(lookup))

    def find(self, conn: Connection, pod_id: str, name: str) -> Any:
        row = self.by_name.first(conn, {"pod_id": pod_id, "name": name})
        if row is None:
            raise NotFound(f"no {self.label} {name!r}")
        return row

    def count(self, conn: Connection, container_id: str) -> int:
        owner = self.entries.c[self.owner_column]
        return int(
            conn.execute(sa.select(sa.func.count()).where(owner == container_id)).scalar_one()
        )

    def list(self, conn: Connection, pod_id: str) -> list[Row[Any]]:
        """Every container of the pod by name, each with its entry count as `n`."""
        owner = self.entries.c[self.owner_column]
        counts = sa.select(owner, sa.func.count().label("n")).group_by(owner).subquery()
        return list(
            conn.execute(
                sa.select(self.table, sa.func.coalesce(counts.c.n, 0).label("n"))
                .outerjoin(counts, counts.c[self.owner_column] == self.table.c.id)
                .where(self.table.c.pod_id == pod_id)
                .order_by(self.table.c.name)
            ).all()
        )

    def create(self, conn: Connection, pod_id: str, name: str, **fields: Any) -> dict[str, Any]:
        """Insert a container; the row's values. A name in use raises UniqueViolation."""
        values = {"id": new_id(), "pod_id": pod_id, "name": name, "created_at": now(), **fields}
        conn.execute(self.table.insert().values(**values))
        return values

    def conflict(self, name: str) -> Conflict:
        return Conflict(f"the {self.label} {name!r} already exists")

    def delete(self, conn: Connection, pod_id: str, name: str) -> None:
        row = self.find(conn, pod_id, name)
        for dependent in (*self.dependents, self.entries):
            conn.execute(dependent.delete().where(dependent.c[self.owner_column] == row.id))
        conn.execute(self.table.delete().where(self.table.c.id == row.id))
