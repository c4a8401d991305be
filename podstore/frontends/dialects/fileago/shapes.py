"""FileAgo's JSON: the envelope, node details, directory entries (times in milliseconds)."""

from __future__ import annotations

from typing import Any

from podstore.core.records import GrantInfo, NodeFacts, NodeInfo, Owner, ScopedNode

LEVELS = {"viewer": 1, "read": 1, "write": 2, "editor": 3, "delete": 3, "owner": 4}


def ok(msg: str, data: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": "success", "msg": msg}
    if data is not None:
        body["data"] = data
    return body


def ms(seconds: float) -> int:
    return int(seconds * 1000)


def kind(node_kind: str) -> str:
    return "Dir" if node_kind == "dir" else "File"


def details(info: ScopedNode, name: str | None = None, uuid: str | None = None) -> dict[str, Any]:
    owner = info.owner or Owner("user", "", "")
    return {
        "name": name or info.node.name,
        "type": kind(info.node.kind),
        "uuid": uuid or info.node.id,
        "owner_type": "Group" if owner.kind == "group" else "User",
        "owner_uuid": owner.id,
        "owner_fullname": owner.name,
        "created": ms(info.node.created_at),
        "updated": ms(info.node.modified_at),
    }


def entry(node: NodeInfo, facts: NodeFacts | None = None) -> dict[str, Any]:
    """A directory entry; a folder's `size` is the number of items in it."""
    body: dict[str, Any] = {
        "is_starred": node.starred,
        "public_shares": facts.links if facts else 0,
        "name": node.name,
        "size": node.size if node.kind == "file" else (facts.children if facts else 0),
        "comment_count": 0,
        "uuid": node.id,
        "private_shares": facts.grants if facts else 0,
        "updated": ms(node.modified_at),
        "type": kind(node.kind),
    }
    if facts is not None and facts.revision is not None:
        body["revision"] = facts.revision
    return body


def grant_entry(grant: GrantInfo) -> dict[str, Any]:
    return {
        "is_starred": False,
        "public_shares": 0,
        "name": grant.name or "",
        "size": grant.size,
        "comment_count": 0,
        "uuid": grant.node_id,
        "private_shares": 0,
        "updated": ms(grant.created_at),
        "type": kind(grant.kind or "file"),
    }


def access_list(role: str, no_download: bool) -> list[str]:
    """What the user may do with a node, as the names of FileAgo's permissions."""
    level = LEVELS.get(role, 0)
    granted = ["read"] + ([] if no_download else ["download"])
    if level >= 2:
        granted += ["write", "upload"]
    if level >= 3:
        granted.append("delete")
    if level >= 4:
        granted.append("share")
    return granted
