"""Directories: mkdir (not recursive), rmdir (recursive), ls, stat, present, rename, chmod;
and the mode every listing shows (FairOS's default until a chmod sets one)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from podstore.core.context import Actor
from podstore.core.errors import Conflict, Invalid, NotFound
from podstore.core.records import NodeInfo
from podstore.core.service import Core
from podstore.frontends.dialects.fairos.calls import Call, endpoint
from podstore.frontends.dialects.fairos.envelope import Generation, respond
from podstore.frontends.dialects.fairos.errors import FairError, missing
from podstore.frontends.dialects.fairos.pods import open_pod

DIR_MODE = 0o040000 | 0o700  # S_IFDIR|0700, FairOS's default (16832)
FILE_MODE = 0o100000 | 0o600  # S_IFREG|0600 (33152)
BLOCK_SIZE = 1_000_000  # reported for every file: podstore cuts content by content, not blocks
NO_DIR = "directory not present"
KIND_BITS = 0o170000  # S_IFMT


def mode_of(node: NodeInfo) -> int:
    """S_IFDIR or S_IFREG with the node's permission bits (FairOS's defaults if never set)."""
    default = DIR_MODE if node.kind == "dir" else FILE_MODE
    return (default & KIND_BITS) | (default & ~KIND_BITS if node.mode is None else node.mode)


def parse_mode(call: Call) -> int:
    """`mode` as FairOS reads it: base 10 (`ParseUint(mode, 10, 32)`), permission bits."""
    raw = call.raw("mode")
    text = str(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    if text == "":
        raise missing(call.name_of("mode", None))
    if not text.isdigit() or int(text) > 0o7777:
        raise FairError(400, f'invalid mode "{text}": permission bits in base 10, 0 to 4095')
    return int(text)


def entry(generation: Generation, node: NodeInfo) -> dict[str, Any]:
    folder = node.kind == "dir"
    kind = "inode/directory" if folder else node.content_type or "application/octet-stream"
    return generation.shape(
        ("name", "name", node.name),
        ("contentType", "content_type", kind),
        ("size", "size", str(node.size)),
        ("mode", "mode", mode_of(node)),
        ("blockSize", "block_size", str(BLOCK_SIZE)),
        ("creationTime", "creation_time", str(int(node.created_at))),
        ("modificationTime", "modification_time", str(int(node.modified_at))),
        ("accessTime", "access_time", str(int(node.modified_at))),
    )


async def every_entry(core: Core, actor: Actor, pod: str, path: str) -> list[NodeInfo]:
    found: list[NodeInfo] = []
    cursor: str | None = None
    while True:
        page = await core.tree.list(actor, pod, path, cursor=cursor)
        found += page.entries
        if not (cursor := page.next_cursor):
            return found


def dir_path(call: Call) -> str:
    return call.get("dirPath", "dir")


async def _dir_node(call: Call, pod: str, path: str) -> NodeInfo:
    node = await call.core.tree.stat(await call.actor(), pod, path)
    if node.kind != "dir":
        raise FairError(404, NO_DIR)
    return node


async def mkdir(call: Call) -> Response:
    pod, path = await open_pod(call), dir_path(call)
    try:
        await call.core.tree.mkdir(await call.actor(), pod, path)
    except Conflict:
        raise FairError(400, "directory name already present") from None
    return respond(call.generation.message("directory created successfully", 201), 201)


async def rmdir(call: Call) -> Response:
    pod, path = await open_pod(call), dir_path(call)
    if path.strip("/") == "":
        raise FairError(400, "cannot remove root directory")
    await _dir_node(call, pod, path)
    await call.core.tree.delete(await call.actor(), pod, path)
    return respond(call.generation.message("directory removed successfully", 200))


async def ls(call: Call) -> Response:
    pod, path = await open_pod(call), dir_path(call)
    await _dir_node(call, pod, path)
    found = await every_entry(call.core, await call.actor(), pod, path)
    body: dict[str, Any] = {}
    dirs = [entry(call.generation, n) for n in found if n.kind == "dir"]
    files = [entry(call.generation, n) for n in found if n.kind != "dir"]
    if dirs:
        body["dirs"] = dirs
    if files:
        body["files"] = files
    return respond(body)


async def stat(call: Call) -> Response:
    pod, path = await open_pod(call), dir_path(call)
    node = await _dir_node(call, pod, path)
    found = await every_entry(call.core, await call.actor(), pod, path)
    folders = sum(1 for n in found if n.kind == "dir")
    return respond(
        call.generation.shape(
            ("podName", "pod_name", pod),
            ("dirPath", "dir_path", "/" + path.strip("/")),
            ("dirName", "dir_name", node.name if path.strip("/") else "/"),
            ("mode", "mode", mode_of(node)),
            ("creationTime", "creation_time", str(int(node.created_at))),
            ("modificationTime", "modification_time", str(int(node.modified_at))),
            ("accessTime", "access_time", str(int(node.modified_at))),
            ("noOfDirectories", "no_of_directories", str(folders)),
            ("noOfFiles", "no_of_files", str(len(found) - folders)),
        )
    )


async def present(call: Call) -> Response:
    pod, path = await open_pod(call), dir_path(call)
    try:
        await _dir_node(call, pod, path)
    except (NotFound, Invalid, FairError) as exc:
        text = exc.text if isinstance(exc, FairError) else NO_DIR
        return respond({"present": False, "error": text})
    return respond({"present": True})


async def rename(call: Call) -> Response:
    pod = await open_pod(call)
    old, new = call.get("oldPath"), call.get("newPath")
    await _dir_node(call, pod, old)
    await call.core.tree.move(await call.actor(), pod, old, new)
    return respond(call.generation.message("directory renamed successfully", 200))


async def chmod(call: Call) -> Response:
    pod, path, mode = await open_pod(call), dir_path(call), parse_mode(call)
    await _dir_node(call, pod, path)
    await call.core.tree.chmod(await call.actor(), pod, path, mode)
    # FairOS's dir/chmod answers with dir/rename's text (a copy-paste in its handler)
    return respond(call.generation.message("directory renamed successfully", 200))


def routes() -> list[Route]:
    out: list[Route] = []
    for version, body, query in (("v0", "form", "form"), ("v1", "json", "none")):
        base = f"/{version}/dir"
        out += [
            Route(f"{base}/mkdir", endpoint("mkdir", mkdir, body, NO_DIR), methods=["POST"]),
            Route(f"{base}/rmdir", endpoint("rmdir", rmdir, body, NO_DIR), methods=["DELETE"]),
            Route(f"{base}/ls", endpoint("ls", ls, query, NO_DIR), methods=["GET"]),
            Route(f"{base}/stat", endpoint("dir stat", stat, query, NO_DIR), methods=["GET"]),
        ]
    return [
        *out,
        Route("/v1/dir/present", endpoint("dir present", present, "none"), methods=["GET"]),
        Route("/v1/dir/rename", endpoint("dir rename", rename, "json", NO_DIR), methods=["POST"]),
        Route("/v1/dir/chmod", endpoint("chmod", chmod, "json", NO_DIR), methods=["POST"]),
    ]
