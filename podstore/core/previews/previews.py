"""Image thumbnails of file versions, made on first request and kept.

A thumbnail is content like any other: written by the chunk engine under the keys of the
version it shows (so it is as encrypted as the file, and readable by whoever may open the
file), and recorded in `previews` against that version, so it goes when the version goes
(the row by ON DELETE CASCADE, its chunks at the next gc, which keeps only what a version,
an upload or a preview references). A version that cannot be previewed is remembered too,
so a broken or oversized image is decoded once, not on every listing. Thumbnails are not
counted against quota: they are derived and small.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core.context import Actor, CoreContext, now
from podstore.core.errors import Invalid, NotFound
from podstore.core.previews import render
from podstore.core.records import Download
from podstore.core.tree.files import Files
from podstore.meta.errors import UniqueViolation
from podstore.meta.previews_schema import previews
from podstore.meta.schema import versions
from podstore.storage.manifest import Manifest

SIZES = (128, 1024)  # the longest side: a listing's icon, a file page's picture
DECODING_AT_ONCE = 2  # bounds the memory decoding images may take


def previewable(content_type: str | None) -> bool:
    """Whether a file of this type may get a thumbnail (SVG never: it is a document)."""
    return (content_type or "").split(";")[0].strip().lower() in render.CONTENT_TYPES


class Previews:
    def __init__(self, ctx: CoreContext, files: Files) -> None:
        self.ctx = ctx
        self.files = files
        self._decoding = asyncio.Semaphore(DECODING_AT_ONCE)

    @staticmethod
    def can_thumbnail(content_type: str | None) -> bool:
        return previewable(content_type)

    async def thumbnail(
        self, actor: Actor, pod: str, path: str, size: int, version_id: str | None = None
    ) -> Download:
        """The thumbnail of the file's current (or given) version, `size` pixels at most on
        its longest side. NotFound when the file is not an image we can preview."""
        if size not in SIZES:
            raise Invalid(f"a thumbnail's size is one of {', '.join(map(str, SIZES))}")
        source = await self.files.open(actor, pod, path, version_id)
        if not previewable(source.content_type):
            raise NotFound("no thumbnail for this kind of file")
        version = source.etag
        row = await self.ctx.db.read(lambda c: _stored(c, version, size))
        if row is None:
            row = await self._make(source, size)
        if row.manifest is None:
            raise NotFound("this image cannot be previewed")
        return Download(
            node=source.node,
            manifest=Manifest.from_bytes(row.manifest),
            keys=source.keys,
            etag=f"{version}.{size}",
            content_type=row.content_type,
            size=row.length,
            modified=row.created_at,
        )

    async def _make(self, source: Download, size: int) -> Row[Any]:
        picture = None
        if source.size <= self.ctx.settings.preview_max_bytes:
            async with self._decoding:
                plain = b"".join([piece async for piece in self.files.stream(source)])
                picture = await asyncio.to_thread(
                    render.thumbnail, plain, size, self.ctx.settings.preview_max_pixels
                )
        manifest = None
        if picture is not None:
            written = await self.ctx.engine.write(_once(picture), source.keys)
            manifest = written.manifest.to_bytes()
        values = {
            "version_id": source.etag,
            "size": size,
            "content_type": render.OUTPUT_TYPE,
            "length": len(picture or b""),
            "manifest": manifest,
            "created_at": now(),
        }

        def keep(conn: Connection) -> Row[Any]:
            if _stored(conn, source.etag, size) is None and _version_exists(conn, source.etag):
                conn.execute(previews.insert().values(**values))
            row = _stored(conn, source.etag, size)
            if row is None:
                raise NotFound("the version is gone")
            return row

        try:
            return await self.ctx.db.write(keep)
        except UniqueViolation:  # another node made it meanwhile: its copy is as good
            row = await self.ctx.db.read(lambda c: _stored(c, source.etag, size))
            if row is None:
                raise NotFound("the version is gone") from None
            return row


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _stored(conn: Connection, version_id: str, size: int) -> Row[Any] | None:
    return conn.execute(
        sa.select(previews).where(previews.c.version_id == version_id, previews.c.size == size)
    ).first()


def _version_exists(conn: Connection, version_id: str) -> bool:
    return (
        conn.execute(sa.select(versions.c.id).where(versions.c.id == version_id)).first()
        is not None
    )


def preview_chunk_names(conn: Connection) -> set[str]:
    """Blobs that kept previews reference (for gc and fsck)."""
    names: set[str] = set()
    rows = conn.execute(sa.select(previews.c.manifest).where(previews.c.manifest.is_not(None)))
    for (manifest,) in rows:
        names.update(Manifest.from_bytes(manifest).chunk_names)
    return names
