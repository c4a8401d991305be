"""What a file manager shows beside each entry: the current version's number, how many
items a folder holds, how many grants and links the owner made on it, and who owns it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.access.authorize import PodAccess
from podstore.core.records import NodeFacts, Owner
from podstore.meta.schema import nodes, pods, users, versions
from podstore.meta.sharing_schema import grants, groups, links


def _counts(conn: Connection, column: Any, ids: list[str]) -> dict[str, int]:
    rows = conn.execute(
        sa.select(column, sa.func.count()).where(column.in_(ids)).group_by(column)
    ).all()
    return {row[0]: row[1] for row in rows}


def child_facts(conn: Connection, access: PodAccess, dir_id: str) -> dict[str, NodeFacts]:
    """Facts of the live children of `dir_id`, by node id; four queries for the folder.
    Grants and links are the owner's business: counted only for the pod's members."""
    children = conn.execute(
        sa.select(nodes.c.id, nodes.c.kind, versions.c.number)
        .outerjoin(versions, versions.c.id == nodes.c.version_id)
        .where(nodes.c.parent_id == dir_id, nodes.c.trashed_at.is_(None))
    ).all()
    ids = [row.id for row in children]
    held: dict[str, int] = {}
    shared: dict[str, int] = {}
    linked: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        live_child = sa.and_(nodes.c.parent_id.in_(batch), nodes.c.trashed_at.is_(None))
        held.update(
            dict(
                conn.execute(
                    sa.select(nodes.c.parent_id, sa.func.count())
                    .where(live_child)
                    .group_by(nodes.c.parent_id)
                )
                .tuples()
                .all()
            )
        )
        if access.is_member:
            shared.update(_counts(conn, grants.c.node_id, batch))
            linked.update(_counts(conn, links.c.node_id, batch))
    return {
        row.id: NodeFacts(
            revision=row.number if row.kind == "file" else None,
            children=held.get(row.id, 0),
            grants=shared.get(row.id, 0),
            links=linked.get(row.id, 0),
        )
        for row in children
    }


def pod_owner(conn: Connection, pod_id: str) -> Owner:
    """The user or the group that owns a pod, with a name to show."""
    pod = conn.execute(
        sa.select(pods.c.owner_id, pods.c.owner_group_id).where(pods.c.id == pod_id)
    ).one()
    if pod.owner_group_id is not None:
        name = conn.execute(sa.select(groups.c.name).where(groups.c.id == pod.owner_group_id))
        return Owner("group", pod.owner_group_id, name.scalar() or "")
    user = conn.execute(
        sa.select(users.c.name, users.c.profile).where(users.c.id == pod.owner_id)
    ).first()
    if user is None:
        return Owner("user", pod.owner_id or "", "")
    return Owner("user", pod.owner_id, (user.profile or {}).get("display_name") or user.name)
