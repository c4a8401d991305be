"""The native API's JSON for the sharing area's records: grants, members, groups, links,
offers, and nodes reached through a share."""

from __future__ import annotations

from typing import Any

from podstore.core.context import iso
from podstore.core.records import (
    GrantInfo,
    GroupDetail,
    GroupInfo,
    LinkInfo,
    NewLink,
    NewRef,
    OfferInfo,
    PodMember,
    PodRef,
    ScopedNode,
)
from podstore.frontends.native.shapes_tree import node


def scoped(info: ScopedNode) -> dict[str, Any]:
    return {
        **node(info.node),
        "pod_id": info.pod_id,
        "scope": info.scope,
        "access": info.access,
        "no_download": info.no_download,
    }


def grant(info: GrantInfo) -> dict[str, Any]:
    recipient = {"user": info.user} if info.user else {"group": info.group}
    return {
        "id": info.id,
        "node_id": info.node_id,
        "pod": info.scope,
        "owner": info.owner,
        "level": info.level,
        "no_download": info.no_download,
        "expires_at": iso(info.expires_at),
        "created": iso(info.created_at),
        "name": info.name,
        "type": info.kind,
        "size": info.size,
        **recipient,
    }


def member(info: PodMember) -> dict[str, Any]:
    who = {"user": info.user} if info.user is not None else {"group": info.group}
    return {**who, "role": info.role}


def pod_ref(info: PodRef) -> dict[str, Any]:
    return {"id": info.id, "name": info.name}


def group(info: GroupInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "role": info.role,
        "members": info.members,
        "created_at": info.created_at,
    }


def group_detail(info: GroupDetail) -> dict[str, Any]:
    return {
        **group(info.group),
        "member_list": [{"name": m.name, "role": m.role} for m in info.members],
        "pods": [pod_ref(p) for p in info.pods],
    }


def link(info: LinkInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "node_id": info.node_id,
        "expires_at": iso(info.expires_at),
        "max_downloads": info.max_downloads,
        "downloads": info.downloads,
        "upload_only": info.upload_only,
        "password": info.password,
        "created": iso(info.created_at),
    }


def new_link(info: NewLink) -> dict[str, Any]:
    return {**link(info.link), "name": info.name, "type": info.kind, "url": info.url}


def offer(info: OfferInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "kind": info.kind,
        "name": info.name,
        "type": info.node_kind,
        "size": info.size,
        "files": info.files,
        "sender": info.sender,
        "created": iso(info.created_at),
        "expires_at": iso(info.expires_at),
    }


def new_ref(info: NewRef) -> dict[str, Any]:
    return {**offer(info.offer), "ref": info.ref}
