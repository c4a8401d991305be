"""Stat objects as AntOS's backend writes them: type, times as HTTP dates, size, mime ("dir"
for folders), uid, gid, `permissions: " (755)"` and the `perm` tree.

Podstore has no POSIX modes; the bits say what podstore's roles and grants allow. The owner
is the pod's owner (read and write; exec on folders). The group is whoever reaches the item
through a membership or a grant: the bits show the viewer's own level when the viewer is not
the owner (read, or read and write), none when the owner looks. Other is nobody, but for a
published file (readable by anyone) and the AntOS build (readable by its users).
"""

from __future__ import annotations

import mimetypes
from email.utils import formatdate
from typing import Any

from podstore.core.records import NodeInfo, ScopeInfo

READ, WRITE, EXEC = 4, 2, 1


def mime_of(name: str, stored: str | None = None) -> str:
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or stored or "application/octet-stream"


def http_time(ts: float) -> str:
    return formatdate(ts, usegmt=True)


def mode_of(kind: str, owner: int, group: int, other: int) -> int:
    """A mode from rwx levels given as read/write flags; folders get exec where they read."""

    def bits(level: int) -> int:
        return level | (EXEC if kind == "dir" and level & READ else 0)

    return bits(owner) << 6 | bits(group) << 3 | bits(other)


def perm_tree(mode: int) -> dict[str, dict[str, bool]]:
    return {
        who: {
            "read": bool(mode >> shift & READ),
            "write": bool(mode >> shift & WRITE),
            "exec": bool(mode >> shift & EXEC),
        }
        for who, shift in (("owner", 6), ("group", 3), ("other", 0))
    }


def stat_object(
    kind: str,
    *,
    size: int,
    created: float,
    modified: float,
    mime: str,
    mode: int,
    uid: str | int,
    gid: str | int,
) -> dict[str, Any]:
    return {
        "type": kind,
        "ctime": http_time(created),
        "mtime": http_time(modified),
        "size": size,
        "mime": "dir" if kind == "dir" else mime,
        "uid": uid,
        "gid": gid,
        "permissions": f" ({mode:03o})",
        "perm": perm_tree(mode),
    }


def node_stat(node: NodeInfo, scope: ScopeInfo, viewer_id: str) -> dict[str, Any]:
    """A file or folder of a pod, as the viewer reaching it through `scope` sees it."""
    writes = WRITE if not scope.read_only else 0
    group = 0
    if scope.owner_id != viewer_id:
        group = READ | (writes if scope.level != "read" else 0)
    return stat_object(
        node.kind,
        size=node.size,
        created=node.created_at,
        modified=node.modified_at,
        mime=mime_of(node.name, node.content_type),
        mode=mode_of(node.kind, READ | writes, group, 0),
        uid=scope.owner_id or "",
        gid=scope.pod_id,
    )


def published_stat(node: NodeInfo) -> dict[str, Any]:
    """A published file: anyone reads it, nobody writes it through the publication."""
    return stat_object(
        node.kind,
        size=node.size,
        created=node.created_at,
        modified=node.modified_at,
        mime=mime_of(node.name, node.content_type),
        mode=mode_of(node.kind, READ, READ, READ),
        uid="",
        gid="",
    )
