"""files_*, file_*: the catalog of a key mapped onto a pod's tree, uploads from and downloads
to local paths as background tasks, and the WebSocket chunk transfer of the desktop app."""

from __future__ import annotations

import asyncio
import os
import stat as stat_module
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from podstore.core.context import Actor
from podstore.core.errors import Conflict, NotFound
from podstore.core.records import NodeInfo
from podstore.frontends.dialects.bitdust.catalog import describe
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, ok, result
from podstore.frontends.dialects.bitdust.inputs import Args, RemotePath, parse_remote_path
from podstore.frontends.dialects.bitdust.registry import Call, Place, api

BLOCK = 1024 * 1024
MAX_LISTED = 10_000
CHUNK_MAX = 4 * 1024 * 1024


def remote(call: Call, text: str) -> RemotePath:
    return parse_remote_path(text, call.caller.me.name, call.engine.host)


def child(rp: RemotePath, name: str) -> RemotePath:
    return RemotePath(rp.key, f"{rp.path}/{name}" if rp.path else name)


async def stat(call: Call, at: Place, rp: RemotePath) -> NodeInfo | None:
    try:
        return await call.core.tree.stat(call.caller.me, at.scope, at.path(rp))
    except NotFound:
        return None


async def walk(call: Call, at: Place, rp: RemotePath, recursive: bool) -> list[Any]:
    """(remote path, node) of everything below a folder, breadth first, at most MAX_LISTED."""
    found: list[tuple[RemotePath, NodeInfo]] = []
    folders = [rp]
    while folders and len(found) < MAX_LISTED:
        folder = folders.pop(0)
        cursor = None
        while len(found) < MAX_LISTED:
            page = await call.core.tree.list(
                call.caller.me, at.scope, at.path(folder), cursor=cursor, limit=1000
            )
            for node in page.entries:
                found.append((child(folder, node.name), node))
                if recursive and node.kind == "dir":
                    folders.append(child(folder, node.name))
            cursor = page.next_cursor
            if cursor is None:
                break
    return found[:MAX_LISTED]


async def describe_node(call: Call, at: Place, rp: RemotePath, node: NodeInfo) -> dict[str, Any]:
    me = call.caller.me
    versions = (
        await call.core.files.versions(me, at.scope, at.path(rp)) if node.kind == "file" else []
    )
    tasks = call.engine.tasks
    ups = [t.describe() for t in tasks.running("upload", me.user_id) if t.remote_path == str(rp)]
    downs = [
        t.describe() for t in tasks.running("download", me.user_id) if t.remote_path == str(rp)
    ]
    return describe(rp, node, versions, ups, downs)


@api
async def files_sync(call: Call, args: Args) -> Reply:
    call.caller.require()
    return ok("the catalog is always in sync: it lives on this server")


@api
async def files_list(call: Call, args: Args) -> Reply:
    text = args.text("remote_path") or args.text("key_id") or ""
    if text and ":" not in text and "$" in text:
        text += ":"
    rp = remote(call, text)
    at = await call.place(rp.key)
    node = await stat(call, at, rp)
    if node is None:
        raise Failure(f"remote path {rp} was not found", "not_found")
    items = (
        [(rp, node)]
        if node.kind == "file"
        else await walk(call, at, rp, args.flag("recursive", True))
    )
    listed = [await describe_node(call, at, r, n) for r, n in items]
    if not args.flag("uploads") and not args.flag("include_uploads"):
        for entry in listed:
            entry.pop("uploads")
    return result(listed, revision=0)


@api
async def file_exists(call: Call, args: Args) -> Reply:
    rp = remote(call, args.required("remote_path"))
    at = await call.place(rp.key)
    node = await stat(call, at, rp)
    registered = node is None and await reserved(call, at, rp)
    return ok({"exist": node is not None or registered, "path_id": node.id if node else None})


@api
async def file_info(call: Call, args: Args) -> Reply:
    rp = remote(call, args.required("remote_path"))
    at = await call.place(rp.key)
    node = await stat(call, at, rp)
    if node is None:
        raise Failure(f"remote path {rp} was not found", "not_found")
    return ok(await describe_node(call, at, rp, node))


@api
async def file_create(call: Call, args: Args) -> Reply:
    me = call.caller.me
    rp = remote(call, args.required("remote_path"))
    if not rp.path:
        raise Failure(f'invalid "remote_path" format: {rp}', "invalid")
    at = await call.place(rp.key)
    parent = rp.path.rpartition("/")[0]
    folder = await stat(call, at, RemotePath(rp.key, parent))
    if folder is None or folder.kind != "dir":
        raise Failure(
            f"remote path can not be assigned, parent folder {parent} was not found", "not_found"
        )
    existing = await stat(call, at, rp)
    as_folder = args.flag("as_folder")
    if existing is not None or await reserved(call, at, rp):
        if args.flag("exist_ok"):
            return ok(_created(call, rp, existing, as_folder, created=False))
        raise Failure(f"remote path {rp} already exists in the catalog", "conflict")
    if as_folder:
        existing = await call.core.tree.mkdir(me, at.scope, at.path(rp))
    else:
        try:
            await call.core.keyring.reservations.reserve(me, at.scope, at.path(rp))
        except Conflict:  # registered meanwhile by another call
            raise Failure(f"remote path {rp} already exists in the catalog", "conflict") from None
    return ok(_created(call, rp, existing, as_folder, created=True))


async def reserved(call: Call, at: Place, rp: RemotePath) -> bool:
    """Whether `file_create` registered the path and no upload has filled it yet."""
    return await call.core.keyring.reservations.is_reserved(call.caller.me, at.scope, at.path(rp))


async def unreserve(call: Call, at: Place, rp: RemotePath) -> bool:
    return await call.core.keyring.reservations.release(call.caller.me, at.scope, at.path(rp))


def _created(
    call: Call, rp: RemotePath, node: NodeInfo | None, folder: bool, created: bool
) -> dict[str, Any]:
    owner = f"{rp.key.user}@{rp.key.host}"
    return {
        "path_id": node.id if node else None,
        "key_id": str(rp.key),
        "path": rp.path,
        "remote_path": str(rp),
        "global_id": owner,
        "customer": owner,
        "created": created,
        "type": "dir" if folder or (node is not None and node.kind == "dir") else "file",
    }


@api
async def file_delete(call: Call, args: Args) -> Reply:
    me = call.caller.me
    rp = remote(call, args.required("remote_path"))
    if not rp.path:
        raise Failure(f'invalid "remote_path" format: {rp}', "invalid")
    at = await call.place(rp.key)
    if await unreserve(call, at, rp) and await stat(call, at, rp) is None:
        return ok(message=f"item {rp} was deleted")
    node = await call.core.tree.delete(me, at.scope, at.path(rp))
    return ok({"path_id": node.id, "remote_path": str(rp)}, message=f"item {rp} was deleted")


# -- uploads ---------------------------------------------------------------------------------


async def read_local(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while block := await asyncio.to_thread(handle.read, BLOCK):
            yield block


async def upload_tree(call: Call, me: Actor, at: Place, rp: RemotePath, local: Path) -> int:
    """Upload a local file, or a folder with everything in it; the last version's number."""
    info = await asyncio.to_thread(local.stat)
    if stat_module.S_ISREG(info.st_mode):
        written = await call.core.files.upload(
            me, at.scope, at.path(rp), read_local(local), size_hint=info.st_size
        )
        await unreserve(call, at, rp)
        return written.version
    number = 0
    if at.path(rp):
        await call.core.tree.mkdir(me, at.scope, at.path(rp), parents=True)
    for folder, dirs, files in await asyncio.to_thread(lambda: list(os.walk(local))):
        relative = Path(folder).relative_to(local)
        base = (
            rp.path if relative == Path(".") else "/".join(filter(None, [rp.path, *relative.parts]))
        )
        for name in sorted(dirs):
            target = RemotePath(rp.key, f"{base}/{name}" if base else name)
            await call.core.tree.mkdir(me, at.scope, at.path(target), parents=True)
        for name in sorted(files):
            source = call.engine.local_path(me, str(Path(folder) / name))
            target = RemotePath(rp.key, f"{base}/{name}" if base else name)
            number = await upload_tree(call, me, at, target, source)
    await unreserve(call, at, rp)
    return number


@api
async def file_upload_start(call: Call, args: Args) -> Reply:
    me = call.caller.me
    text = args.required("local_path")
    local = call.engine.local_path(me, text)
    rp = remote(call, args.required("remote_path"))
    at = await call.place(rp.key)
    if not local.exists():
        raise Failure(f"local file or folder {text} not exist", "not_found")
    node = await stat(call, at, rp)
    if node is None and not await reserved(call, at, rp):
        raise Failure(f"path {rp.path} was not registered yet", "not_registered")
    task = call.engine.tasks.start(
        "upload", me.user_id, str(rp), str(local), upload_tree(call, me, at, rp, local)
    )
    answer: dict[str, Any] = {
        "remote_path": str(rp),
        "key_id": str(rp.key),
        "source_path": str(local),
    }
    if not args.flag("wait_result"):
        answer["path_id"] = node.id if node else None
        message = f"uploading task for {rp} started, local path is {local}"
        return ok(answer, message=message)
    version = await task.job
    node = await stat(call, at, rp)
    answer |= {"path_id": node.id if node else None, "version": version}
    return ok(answer, message=f"item {rp} was uploaded, local path is {local}")


@api
async def files_uploads(call: Call, args: Args) -> Reply:
    running = call.engine.tasks.running("upload", call.caller.me.user_id)
    return ok(
        {
            "running": [t.describe() for t in running]
            if args.flag("include_running", True)
            else [],
            "pending": [],
        }
    )


@api
async def file_upload_stop(call: Call, args: Args) -> Reply:
    rp = remote(call, args.required("remote_path"))
    if not call.engine.tasks.stop("upload", call.caller.me.user_id, str(rp)):
        raise Failure(f"uploading task for {rp} was not found", "not_found")
    return ok(message=f"uploading task for {rp} was stopped")


# -- downloads -------------------------------------------------------------------------------


async def download_tree(call: Call, me: Actor, at: Place, rp: RemotePath, target: Path) -> int:
    """Write a file, or a folder with everything in it, to `target`; the bytes written."""
    node = await call.core.tree.stat(me, at.scope, at.path(rp))
    if node.kind == "dir":
        await asyncio.to_thread(target.mkdir, parents=True, exist_ok=True)
        total = 0
        for entry_rp, entry in await walk(call, at, rp, recursive=False):
            total += await download_tree(call, me, at, entry_rp, target / entry.name)
        return total
    handle = await call.core.files.open(me, at.scope, at.path(rp))
    partial = target.with_name(f".{target.name}.part")
    written = 0
    try:
        with partial.open("wb") as out:
            async for piece in call.core.files.stream(handle):
                await asyncio.to_thread(out.write, piece)
                written += len(piece)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return written


@api
async def file_download_start(call: Call, args: Args) -> Reply:
    me = call.caller.me
    rp = remote(call, args.required("remote_path"))
    at = await call.place(rp.key)
    node = await stat(call, at, rp)
    if node is None or (node.kind == "file" and node.version_id is None):
        raise Failure("no remotely stored versions found", "not_found")
    if call.engine.tasks.busy("upload", me.user_id, str(rp)):
        raise Failure(
            f"downloading is not possible, uploading task {rp} is currently in progress", "busy"
        )
    folder_text = args.text("destination_path") or args.text("destination_folder")
    folder = call.engine.local_path(me, folder_text) if folder_text else call.engine.temp_folder(me)
    if not folder.is_dir():
        raise Failure(f"local folder {folder_text} not exist", "not_found")
    target = folder / (node.name if rp.path else rp.key.alias)
    task = call.engine.tasks.start(
        "download", me.user_id, str(rp), str(target), download_tree(call, me, at, rp, target)
    )
    answer = {"remote_path": str(rp), "key_id": str(rp.key), "path_id": node.id}
    answer["local_path"] = str(target)
    if not args.flag("wait_result"):
        return ok(answer, message=f"downloading task for {rp} started, local path is {target}")
    answer["bytes"] = await task.job
    return ok(answer, message=f"item {rp} was downloaded to {target}")


@api
async def files_downloads(call: Call, args: Args) -> Reply:
    running = call.engine.tasks.running("download", call.caller.me.user_id)
    return result([t.describe() for t in running])


@api
async def file_download_stop(call: Call, args: Args) -> Reply:
    rp = remote(call, args.required("remote_path"))
    if not call.engine.tasks.stop("download", call.caller.me.user_id, str(rp)):
        raise Failure(f"downloading task for {rp} was not found", "not_found")
    return ok(message=f"downloading task for {rp} was stopped")


@api
async def file_explore(call: Call, args: Args) -> Reply:
    call.engine.local_path(call.caller.me, args.required("local_path"))
    raise Failure("not supported: the server has no desktop to open a folder on", "unsupported")


# -- the desktop app's transfer over the WebSocket ----------------------------------------------


@api
async def chunk_write(call: Call, args: Args) -> Reply:
    """Append `data` (bytes as latin-1 text) to a file in the caller's temp folder."""
    me = call.caller.me
    data = args.raw("data")
    if not isinstance(data, str):
        raise Failure("mandatory argument missed: data", "missing_argument")
    try:
        raw = data.encode("latin-1")
    except UnicodeEncodeError:
        raise Failure("data must be bytes as latin-1 text", "invalid") from None
    if len(raw) > CHUNK_MAX:
        raise Failure(f"a chunk may have at most {CHUNK_MAX} bytes", "too_large")
    text = args.text("path")
    path = call.engine.temp_path(me, text) if text else call.engine.new_temp_file(me, "upload")
    limit = call.core.settings.max_unfinished_bytes
    if path.exists() and path.stat().st_size + len(raw) > limit:
        raise Failure(f"a file in the temp folder may have at most {limit} bytes", "too_large")
    with path.open("ab") as out:
        await asyncio.to_thread(out.write, raw)
    return ok({"path": str(path), "size": path.stat().st_size})


@api
async def chunk_read(call: Call, args: Args) -> Reply:
    me = call.caller.me
    path = call.engine.temp_path(me, args.required("path"))
    offset = args.integer("offset", 0)
    size = args.integer("max_size", 32 * 1024, 1, CHUNK_MAX)
    try:
        with path.open("rb") as source:
            source.seek(offset)
            data = await asyncio.to_thread(source.read, size)
    except (FileNotFoundError, IsADirectoryError):
        raise Failure(f"local file {path} not exist", "not_found") from None
    stats = {"path": str(path), "offset": offset, "size": len(data)}
    if not data:
        return ok({"chunk": "", "completed": True, "stats": stats})
    return ok({"chunk": data.decode("latin-1"), "stats": stats})
