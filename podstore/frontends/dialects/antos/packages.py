"""AntOS packages: folders holding a `package.json`, in `home://.antos/packages` (the
user's) and `os://packages` (the build's). A package zip installs into a pod folder."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import AsyncIterator
from typing import IO, Any

from podstore.core.errors import CoreError, Invalid
from podstore.core.names import split_path
from podstore.frontends.dialects.antos.errors import AntosError
from podstore.frontends.dialects.antos.paths import VfsPath, parse
from podstore.frontends.dialects.antos.routing import Call
from podstore.frontends.dialects.antos.volumes import writable

MAX_METADATA = 1024 * 1024
MAX_ENTRIES = 10_000
MAX_UNPACKED = 1024**3  # bytes a package may unpack to, by its zip's own account
PIECE = 1024 * 1024
BAD_ZIP = "Problem extracting zip file"


def _paths(call: Call, texts: list[Any]) -> list[VfsPath]:
    found = []
    for text in texts:
        try:
            found.append(parse(text, call.settings.home_pod))
        except AntosError:
            continue
    return found


async def prepare(call: Call, texts: list[Any]) -> None:
    """The package folders of the user's pods exist (AntOS makes them on any command)."""
    actor = await call.actor()
    for path in _paths(call, texts):
        if path.in_pod and path.parts:
            try:
                await call.core.tree.mkdir(actor, path.scope, path.inner, parents=True)
            except CoreError:  # not the user's to make: listing skips it
                continue


async def _json_object(call: Call, text: str) -> dict[str, Any] | None:
    try:
        path = parse(text, call.settings.home_pod)
        found = json.loads(await call.volumes.read(call, path, MAX_METADATA))
    except (CoreError, AntosError, ValueError, RecursionError):
        return None
    return found if isinstance(found, dict) else None


async def listing(call: Call, texts: list[Any]) -> dict[str, Any]:
    """name -> its package.json with `path` added, over every folder given (later wins)."""
    found: dict[str, Any] = {}
    for path in _paths(call, texts):
        try:
            entries = await call.volumes.listing(call, path)
        except (CoreError, AntosError):
            continue
        for entry in entries:
            if entry["type"] == "dir":
                meta = await _json_object(call, f"{entry['path']}/package.json")
                if meta is not None:
                    found[entry["filename"]] = {**meta, "path": entry["path"]}
    return found


async def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> AsyncIterator[bytes]:
    source: IO[bytes] = await asyncio.to_thread(archive.open, info)
    try:
        while piece := await asyncio.to_thread(source.read, PIECE):
            yield piece
    finally:
        source.close()


def _open_zip(data: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise AntosError(BAD_ZIP) from None
    members = archive.infolist()
    if len(members) > MAX_ENTRIES or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise AntosError(f"{BAD_ZIP}: it unpacks to too much")
    return archive, members


async def install(call: Call, zip_text: object, dest_text: object) -> None:
    """Unpack a package zip into `dest`, then write its package.json from metadata.json."""
    home_pod = call.settings.home_pod
    source, dest = parse(zip_text, home_pod), writable(parse(dest_text, home_pod))
    actor, core = await call.actor(), call.core
    archive, members = _open_zip(
        await call.volumes.read(call, source, core.settings.max_request_bytes)
    )
    await core.tree.mkdir(actor, dest.scope, dest.inner, parents=True)
    for info in members:
        try:
            inner = split_path(info.filename)
        except Invalid:
            raise AntosError(f"{BAD_ZIP}: {info.filename!r} is not a valid path") from None
        if not inner:
            continue
        target = "/".join((*dest.parts, *inner))
        try:
            if info.is_dir():
                await core.tree.mkdir(actor, dest.scope, target, parents=True)
            else:
                await core.files.upload(actor, dest.scope, target, _member(archive, info))
        except (zipfile.BadZipFile, EOFError, OSError):  # CRC errors, truncated members
            raise AntosError(BAD_ZIP) from None
    if "metadata.json" not in archive.namelist():
        return  # a zip without it brings its own package.json, or is no package
    meta = await _json_object(call, f"{dest.text}/metadata.json")
    if meta is not None:
        meta.update(path=dest.text, scope="user")
        await call.volumes.write(
            call, parse(f"{dest.text}/package.json", home_pod), json.dumps(meta).encode()
        )


async def uninstall(call: Call, text: object) -> None:
    path = writable(parse(text, call.settings.home_pod))
    await call.core.tree.delete(await call.actor(), path.scope, path.inner)
