"""Dead properties (RFC 4918 §4): any property a client sets on a file or folder, kept as
XML text per (namespace, name) on the node, so it follows the node through moves."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.errors import Invalid, QuotaExceeded
from podstore.core.records import DeadProperty
from podstore.meta.schema import nodes
from podstore.meta.webdav_schema import dav_properties

MAX_VALUE = 64 * 1024
MAX_PER_NODE = 1000
MAX_NAMESPACE = 1024
MAX_NAME = 255

Name = tuple[str, str]  # (namespace, local name)


def of_nodes(
    conn: Connection, node_id: str, names: set[Name] | None, *, children: bool
) -> dict[str, list[DeadProperty]]:
    """The dead properties of a node and (with `children`) of its live children, in one
    query: all of them, or those in `names`."""
    found: dict[str, list[DeadProperty]] = {}
    if names is not None and not names:
        return found
    which = dav_properties.c.node_id == node_id
    if children:
        below = sa.select(nodes.c.id).where(
            nodes.c.parent_id == node_id, nodes.c.trashed_at.is_(None)
        )
        which = sa.or_(which, dav_properties.c.node_id.in_(below))
    query = sa.select(dav_properties).where(which)
    if names is not None and len(names) <= 50:
        query = query.where(dav_properties.c.name.in_({name for _, name in names}))
    for row in conn.execute(query.order_by(dav_properties.c.namespace, dav_properties.c.name)):
        if names is None or (row.namespace, row.name) in names:
            prop = DeadProperty(row.namespace, row.name, row.value)
            found.setdefault(row.node_id, []).append(prop)
    return found


def check(namespace: str, name: str, value: str | None) -> None:
    if not name or len(name) > MAX_NAME or len(namespace) > MAX_NAMESPACE:
        raise Invalid(
            f"a property name has 1 to {MAX_NAME} characters, its namespace at most {MAX_NAMESPACE}"
        )
    if value is not None and len(value) > MAX_VALUE:
        raise QuotaExceeded(f"a property value may have at most {MAX_VALUE} characters")


def apply(conn: Connection, node_id: str, changes: Iterable[tuple[str, str, str | None]]) -> None:
    """Set (value) or remove (None) each (namespace, name), in order, all or nothing."""
    for namespace, name, value in changes:
        check(namespace, name, value)
        key = (
            dav_properties.c.node_id == node_id,
            dav_properties.c.namespace == namespace,
            dav_properties.c.name == name,
        )
        conn.execute(dav_properties.delete().where(*key))
        if value is not None:
            conn.execute(
                dav_properties.insert().values(
                    node_id=node_id, namespace=namespace, name=name, value=value
                )
            )
    count = conn.execute(
        sa.select(sa.func.count()).where(dav_properties.c.node_id == node_id)
    ).scalar_one()
    if count > MAX_PER_NODE:
        raise QuotaExceeded(f"a file or folder may have at most {MAX_PER_NODE} properties")


def copy(conn: Connection, pairs: list[tuple[str, str]]) -> None:
    """Give each copy (new id) the dead properties of its original (old id)."""
    for old, new in pairs:
        rows = conn.execute(sa.select(dav_properties).where(dav_properties.c.node_id == old))
        values = [{**row._mapping, "node_id": new} for row in rows]
        if values:
            conn.execute(dav_properties.insert(), values)
