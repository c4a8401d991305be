"""The native API's JSON for the tree's records: nodes, listings, versions, pods, uploads."""

from __future__ import annotations

import json
from typing import Any

from podstore.core.context import iso
from podstore.core.records import (
    AccountExport,
    ChunkParams,
    ExportedNode,
    FileWritten,
    NodeInfo,
    OpenUpload,
    PodInfo,
    RenderedListing,
    UploadInfo,
    VersionInfo,
)
from podstore.frontends.native import shapes_social


def node(info: NodeInfo) -> dict[str, Any]:
    modified = iso(info.modified_at)
    # most files are never changed after they are made: one stamp serves both
    created = modified if info.created_at == info.modified_at else iso(info.created_at)
    return {
        "id": info.id,
        "name": info.name,
        "type": info.kind,
        "size": info.size,
        "modified": modified,
        "created": created,
        "content_type": info.content_type,
        "version_id": info.version_id,
        "parent_id": info.parent_id,
        "starred": info.starred,
    }


# `node`'s keys and the field each holds, for listings the core renders as JSON itself
NODE_FIELDS = (
    ("id", "id"),
    ("name", "name"),
    ("type", "kind"),
    ("size", "size"),
    ("modified", "modified_at"),
    ("created", "created_at"),
    ("content_type", "content_type"),
    ("version_id", "version_id"),
    ("parent_id", "parent_id"),
    ("starred", "starred"),
)


def stat(info: NodeInfo) -> dict[str, Any]:
    return {**node(info), "path": info.path, "pod": info.pod}


def with_path(info: NodeInfo) -> dict[str, Any]:
    """A node that was trashed or restored, with where it is now."""
    return {**node(info), "path": info.path}


def trashed(info: NodeInfo) -> dict[str, Any]:
    return {**node(info), "trashed_at": info.trashed_at, "original_path": info.path}


def starred(info: NodeInfo) -> dict[str, Any]:
    return {**node(info), "pod": info.pod, "path": info.path}


def rendered_listing(page: RenderedListing) -> bytes:
    """A folder page, `{"entries": [node, …], "next": cursor}`, from entries the core
    rendered in `NODE_FIELDS`."""
    # join: a %-format or + of a few MB costs a millisecond or more
    cursor = json.dumps(page.next_cursor).encode()
    return b"".join((b'{"entries":', page.entries, b',"next":', cursor, b"}"))


def version(info: VersionInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "number": info.number,
        "size": info.size,
        "content_type": info.content_type,
        "created": iso(info.created_at),
        "created_by": info.created_by,
        "current": info.current,
    }


def written(result: FileWritten) -> dict[str, Any]:
    return {
        **node(result.node),
        "version": result.version,
        "new_file": result.new_file,
        "stored_bytes": result.stored_bytes,
    }


def restored_version(result: FileWritten) -> dict[str, Any]:
    return {**node(result.node), "version": result.version}


def pod(info: PodInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "owner_id": info.owner_id,
        "role": info.role,
        "root_id": info.root_id,
        "compression": info.compression,
        "versions_kept": info.versions_kept,
        "quota_bytes": info.quota_bytes,
        "used_bytes": info.used_bytes,
        "files": info.files,
        "folders": info.folders,
        "read_only": info.read_only,
    }


def _exported(item: ExportedNode) -> dict[str, Any]:
    return {
        **node(item.node),
        "path": item.node.path,
        "trashed": item.node.trashed_at is not None,
        "versions": [
            {"id": v.id, "number": v.number, "size": v.size, "created": iso(v.created_at)}
            for v in item.versions
        ],
    }


def export(result: AccountExport) -> dict[str, Any]:
    return {
        "user": shapes_social.user(result.user),
        "pods": [{**pod(p.pod), "tree": [_exported(n) for n in p.tree]} for p in result.pods],
    }


def chunk_params(params: ChunkParams) -> dict[str, Any]:
    return {
        "algorithm": params.algorithm,
        "hash": params.hash,
        "min_size": params.min_size,
        "avg_size": params.avg_size,
        "max_size": params.max_size,
        "fastcdc_avg_size": params.fastcdc_avg_size,
        "max_request_bytes": params.max_request_bytes,
        "inline_threshold": params.inline_threshold,
        "declare_in_parts": params.declare_in_parts,
    }


def committed(result: FileWritten, upload_id: str) -> dict[str, Any]:
    return {**written(result), "upload_id": upload_id}


def upload(info: UploadInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "path": info.path,
        "size": info.size,
        "state": info.state,
        "chunks": info.chunks,
        "complete": info.complete,
        "missing": info.missing,
        "missing_bytes": info.missing_bytes,
        "received_bytes": info.received_bytes,
        "expires": iso(info.expires_at),
        "chunk_params": chunk_params(info.chunk_params),
        "max_request_bytes": info.chunk_params.max_request_bytes,
        "result": None if info.result is None else committed(info.result, info.id),
    }


def open_upload(info: OpenUpload) -> dict[str, Any]:
    return {
        "id": info.id,
        "protocol": info.protocol,
        "path": info.path,
        "size": info.size,
        "received_bytes": info.received_bytes,
        "expires": iso(info.expires_at),
    }
