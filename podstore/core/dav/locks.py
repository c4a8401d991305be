"""WebDAV locks (RFC 4918 §6-7), as rows: the node a lock was taken on, its depth, scope,
owner and expiry. A write needs the token of every lock that covers what it changes: a lock
on the node itself, a depth-infinity lock above it, for a change of a folder's members a
lock on that folder, and for a folder moved or deleted whole every lock inside it. Expired
rows are ignored and dropped when a lock is next taken in the pod."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.access.authorize import Level, PodAccess
from podstore.core.context import Actor, now
from podstore.core.errors import Conflict, Invalid, Locked, PermissionDenied, PreconditionFailed
from podstore.core.records import DavLock
from podstore.core.tree.nodes import get_node, path_of, subtree_ids
from podstore.meta.prepared import Prepared
from podstore.meta.webdav_schema import dav_locks

DEFAULT_TIMEOUT = 3600.0
MAX_TIMEOUT = 7 * 86400.0
MAX_OWNER = 16 * 1024
MAX_PER_POD = 10_000


_ANY_IN_POD = Prepared(
    sa.select(dav_locks.c.token)
    .where(
        dav_locks.c.pod_id == sa.bindparam("pod_id"), dav_locks.c.expires_at > sa.bindparam("now")
    )
    .limit(1)
)


def any_in_pod(conn: Connection, pod_id: str) -> bool:
    """Whether the pod holds a live lock at all (most writes then need no more lookups)."""
    return _ANY_IN_POD.first(conn, {"pod_id": pod_id, "now": now()}) is not None


def _capped(seconds: float | None) -> float:
    """A lock's lifetime: the default when the client names none, at most a week."""
    return DEFAULT_TIMEOUT if seconds is None else min(max(seconds, 1.0), MAX_TIMEOUT)


def ancestry(conn: Connection, node: Row[Any]) -> list[Row[Any]]:
    """The node and every folder above it up to the pod root, the node first."""
    chain = [node]
    while chain[-1].parent_id is not None and len(chain) < 300:
        parent = get_node(conn, chain[-1].parent_id)
        if parent is None:
            break
        chain.append(parent)
    return chain


def _active(conn: Connection, node_ids: Iterable[str]) -> list[Row[Any]]:
    ids = list(node_ids)
    rows: list[Row[Any]] = []
    for start in range(0, len(ids), 500):
        rows += conn.execute(
            sa.select(dav_locks).where(
                dav_locks.c.node_id.in_(ids[start : start + 500]), dav_locks.c.expires_at > now()
            )
        ).all()
    return rows


def record(conn: Connection, access: PodAccess, row: Row[Any]) -> DavLock:
    node = get_node(conn, row.node_id)
    inside = node is not None and access.root_id in {n.id for n in ancestry(conn, node)}
    path = path_of(conn, node, access.root_id) if node is not None and inside else "/"
    return DavLock(
        token=row.token,
        path=path,
        node_id=row.node_id,
        user_id=row.user_id,
        exclusive=row.exclusive == "1",
        infinite=row.infinite == "1",
        owner=row.owner,
        timeout=row.timeout,
        expires_at=row.expires_at,
    )


def covering(
    conn: Connection,
    chain: list[Row[Any]],
    *,
    target_exists: bool,
    members_change: bool = False,
    subtree: bool = False,
) -> list[Row[Any]]:
    """The live locks a change at the head of `chain` must hold the tokens of. `chain` is
    the node and its ancestors, or (for a new name) its parent folder and ancestors."""
    target = chain[0].id if target_exists else None
    parent = chain[1].id if target_exists and len(chain) > 1 else chain[0].id
    found = [
        row
        for row in _active(conn, (n.id for n in chain))
        if row.node_id == target
        or row.infinite == "1"
        or ((members_change or not target_exists) and row.node_id == parent)
    ]
    if subtree and target is not None and chain[0].kind == "dir":
        below = [i for i in subtree_ids(conn, target) if i != target]
        found += _active(conn, below)
    return found


def require_tokens(
    conn: Connection, access: PodAccess, actor: Actor, locks: list[Row[Any]], tokens: frozenset[str]
) -> None:
    """Locked unless the actor presents the token of every exclusive lock and of at least
    one shared lock (when there are shared ones), each one its own."""
    held = {row.token for row in locks if row.token in tokens and row.user_id == actor.user_id}
    missing = [row for row in locks if row.exclusive == "1" and row.token not in held]
    shared = [row for row in locks if row.exclusive != "1"]
    if not missing and shared and not held.intersection(row.token for row in shared):
        missing = shared[:1]
    if missing:
        root = record(conn, access, missing[0]).path
        raise Locked(f"{root} is locked; send its lock token", root=root)


def take(
    conn: Connection,
    access: PodAccess,
    actor: Actor,
    node: Row[Any],
    *,
    token: str,
    exclusive: bool,
    infinite: bool,
    owner: str,
    timeout: float | None,
) -> DavLock:
    """A new lock on `node`, unless a lock in the way conflicts (Locked)."""
    if len(owner) > MAX_OWNER:
        raise Invalid(f"a lock's owner may have at most {MAX_OWNER} characters")
    conn.execute(
        dav_locks.delete().where(
            dav_locks.c.pod_id == access.pod_id, dav_locks.c.expires_at <= now()
        )
    )
    held = conn.execute(
        sa.select(sa.func.count()).where(dav_locks.c.pod_id == access.pod_id)
    ).scalar_one()
    if held >= MAX_PER_POD:
        raise Conflict(f"a pod may hold at most {MAX_PER_POD} locks at a time")
    chain = ancestry(conn, node)
    existing = [
        row
        for row in _active(conn, (n.id for n in chain))
        if row.node_id == node.id or row.infinite == "1"
    ]
    if infinite and node.kind == "dir":
        existing += _active(conn, [i for i in subtree_ids(conn, node.id) if i != node.id])
    clash = [row for row in existing if exclusive or row.exclusive == "1"]
    if clash:
        root = record(conn, access, clash[0]).path
        raise Locked(f"{root} is locked already", root=root)
    timeout = _capped(timeout)
    conn.execute(
        dav_locks.insert().values(
            token=token,
            pod_id=access.pod_id,
            node_id=node.id,
            user_id=actor.user_id,
            exclusive="1" if exclusive else "0",
            infinite="1" if infinite else "0",
            owner=owner,
            timeout=timeout,
            expires_at=now() + timeout,
        )
    )
    row = conn.execute(sa.select(dav_locks).where(dav_locks.c.token == token)).one()
    return record(conn, access, row)


def refresh(
    conn: Connection,
    access: PodAccess,
    actor: Actor,
    node: Row[Any],
    tokens: frozenset[str],
    timeout: float | None,
) -> DavLock:
    """Renew the actor's lock on or above `node` named by one of `tokens`."""
    chain = ancestry(conn, node)
    for row in _active(conn, (n.id for n in chain)):
        if row.token in tokens and (row.node_id == node.id or row.infinite == "1"):
            if row.user_id != actor.user_id:
                raise PermissionDenied("the lock belongs to someone else")
            timeout = _capped(timeout)
            conn.execute(
                dav_locks.update()
                .where(dav_locks.c.token == row.token)
                .values(timeout=timeout, expires_at=now() + timeout)
            )
            fresh = conn.execute(sa.select(dav_locks).where(dav_locks.c.token == row.token)).one()
            return record(conn, access, fresh)
    raise PreconditionFailed("no lock named by the If header applies here")


def release(conn: Connection, access: PodAccess, actor: Actor, node: Row[Any], token: str) -> None:
    """Remove the lock `token` that covers `node` (its owner, or a pod manager, may)."""
    chain = ancestry(conn, node)
    for row in _active(conn, (n.id for n in chain)):
        if row.token == token and (row.node_id == node.id or row.infinite == "1"):
            if row.user_id != actor.user_id and access.role < Level.MANAGE:
                raise PermissionDenied("the lock belongs to someone else")
            conn.execute(dav_locks.delete().where(dav_locks.c.token == token))
            return
    raise Conflict("that lock token does not apply to this resource")


def drop_below(conn: Connection, node_id: str) -> None:
    """Forget the locks on a node and everything inside it (it was moved or deleted)."""
    ids = subtree_ids(conn, node_id)
    for start in range(0, len(ids), 500):
        conn.execute(dav_locks.delete().where(dav_locks.c.node_id.in_(ids[start : start + 500])))


def on_nodes(
    conn: Connection, access: PodAccess, chain: list[Row[Any]], ids: list[str]
) -> dict[str, list[DavLock]]:
    """For lockdiscovery: the locks that apply to each of `ids` (the head of `chain` and
    its children): their own, and depth-infinity ones above. A pod holds few live locks:
    they are read in one query."""
    wanted = {n.id for n in chain} | set(ids)
    rows = [
        row
        for row in conn.execute(
            sa.select(dav_locks).where(
                dav_locks.c.pod_id == chain[0].pod_id, dav_locks.c.expires_at > now()
            )
        )
        if row.node_id in wanted
    ]
    inherited = [r for r in rows if r.infinite == "1" and r.node_id in {n.id for n in chain}]
    found: dict[str, list[DavLock]] = {}
    for row in rows:
        if row.node_id in ids:
            found.setdefault(row.node_id, []).append(record(conn, access, row))
    for node_id in ids:
        for row in inherited:
            if row.node_id != node_id:
                found.setdefault(node_id, []).append(record(conn, access, row))
    return found


def refuse_others(
    conn: Connection,
    access: PodAccess,
    actor: Actor,
    node: Row[Any] | None,
    parent: Row[Any],
    *,
    subtree: bool = False,
) -> None:
    """Every front end's writes: refused while another user's live lock covers the change
    (`node`, or a new name in `parent`). WebDAV clients of the lock's own user are asked for
    its token by WebDAV itself; the user's other clients may write."""
    if not any_in_pod(conn, access.pod_id):
        return
    chain = ancestry(conn, node if node is not None else parent)
    found = covering(conn, chain, target_exists=node is not None, subtree=subtree)
    theirs = [row for row in found if row.user_id != actor.user_id]
    if theirs:
        root = record(conn, access, theirs[0]).path
        raise Locked(f"{root} is locked by another user", root=root)
