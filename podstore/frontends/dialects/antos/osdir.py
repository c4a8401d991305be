"""`os://`: the read-only directory where an AntOS front-end build is installed.

podstore does not ship AntOS; the setting `os_dir` names a build (`make main` of
antos-frontend), from which the desktop loads its apps, themes and icons. Paths resolve
with Starlette's StaticFiles, so nothing outside the directory (`..`, symlinks leading
out) is reachable; every entry reads as mode 555/444 of uid 0.
"""

from __future__ import annotations

import asyncio
import os
import stat as statmod
from typing import Any

from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from podstore.core.errors import NotFound, PayloadTooLarge
from podstore.frontends.dialects.antos.stat import READ, mime_of, mode_of, stat_object


class OsDir:
    def __init__(self, root: str) -> None:
        self.root = root
        self.files = StaticFiles(directory=root, check_dir=False) if root else None

    async def _locate(self, parts: tuple[str, ...]) -> tuple[str, os.stat_result]:
        if self.files is None:
            raise NotFound("no AntOS build is installed")
        try:
            full, found = await asyncio.to_thread(self.files.lookup_path, "/".join(parts))
        except OSError:
            found = None
        if found is None:
            raise NotFound("no such file in the AntOS build")
        return full, found

    @staticmethod
    def _stat(found: os.stat_result) -> dict[str, Any]:
        kind = "dir" if statmod.S_ISDIR(found.st_mode) else "file"
        return stat_object(
            kind,
            size=found.st_size if kind == "file" else 0,
            created=found.st_ctime,
            modified=found.st_mtime,
            mime="",
            mode=mode_of(kind, READ, READ, READ),
            uid=0,
            gid=0,
        )

    async def stat(self, parts: tuple[str, ...]) -> dict[str, Any]:
        _, found = await self._locate(parts)
        result = self._stat(found)
        if result["type"] == "file":
            result["mime"] = mime_of(parts[-1] if parts else "")
        return result

    async def listing(self, parts: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
        full, found = await self._locate(parts)
        if not statmod.S_ISDIR(found.st_mode):
            raise NotFound("not a folder")
        names = sorted(await asyncio.to_thread(os.listdir, full))
        entries = []
        for name in names:
            try:
                entries.append((name, await self.stat((*parts, name))))
            except NotFound:  # a link leading out of the build
                continue
        return entries

    async def read(self, parts: tuple[str, ...], limit: int) -> bytes:
        full, found = await self._locate(parts)
        if not statmod.S_ISREG(found.st_mode):
            raise NotFound("not a file")
        if found.st_size > limit:
            raise PayloadTooLarge(f"{'/'.join(parts)} is larger than {limit} bytes")

        def read() -> bytes:
            with open(full, "rb") as f:
                return f.read(limit + 1)

        return await asyncio.to_thread(read)

    async def response(self, parts: tuple[str, ...]) -> Response:
        full, found = await self._locate(parts)
        if not statmod.S_ISREG(found.st_mode):
            raise NotFound("not a file")
        return FileResponse(full, stat_result=found, media_type=mime_of(parts[-1]))
