"""The catalog's shapes: files and folders of a key as BitDust describes them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from podstore.core.records import NodeInfo, VersionInfo
from podstore.frontends.dialects.bitdust.inputs import KeyId, RemotePath


def version_name(created_at: float) -> str:
    """BitDust's backup id of a version: `F` + local time with a 12-hour clock and AM/PM."""
    return datetime.fromtimestamp(created_at, UTC).strftime("F%Y%m%d%I%M%S%p")


def idurl(key: KeyId) -> str:
    return f"http://{key.host}/{key.user}.xml"


def describe_version(rp: RemotePath, node: NodeInfo, version: VersionInfo) -> dict[str, Any]:
    name = version_name(version.created_at)
    return {
        "backup_id": f"{rp.key}:{node.id}/{name}",
        "label": name,
        "version": version.number,
        "time": version.created_at,
        "size": version.size,
        "current": version.current,
        "author": version.created_by,
    }


def describe(
    rp: RemotePath,
    node: NodeInfo,
    versions: list[VersionInfo] | None = None,
    uploads: list[dict[str, Any]] | None = None,
    downloads: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    described = [describe_version(rp, node, v) for v in versions or []]
    latest = next((v["label"] for v in described if v["current"]), "")
    owner = f"{rp.key.user}@{rp.key.host}"
    return {
        "remote_path": str(rp),
        "global_id": owner,
        "customer": owner,
        "idurl": idurl(rp.key),
        "path_id": node.id,
        "name": node.name if rp.path else "",
        "path": rp.path,
        "type": "dir" if node.kind == "dir" else "file",
        "size": node.size,
        "local_size": -1,
        "latest": latest,
        "key_id": str(rp.key),
        "key_alias": rp.key.alias,
        "childs": node.kind == "dir",
        "versions": described,
        "uploads": {"running": uploads or [], "pending": []},
        "downloads": downloads or [],
        "local_path": None,
    }
