"""Image thumbnails: made once per version and size, encrypted like content, readable by
whoever may open the file, gone with their version (row at once, blobs at gc), and never
made from what is not a small-enough image of a known format."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from PIL import Image

from podstore.core.context import Actor
from podstore.core.errors import Invalid, NotFound
from podstore.core.maintenance import referenced_names
from podstore.core.records import Download
from podstore.meta.previews_schema import previews
from podstore.storage.gc import collect_garbage
from podstore.storage.manifest import Manifest
from tests.core.conftest import Harness


async def _body(data: bytes) -> AsyncIterator[bytes]:
    yield data


def noisy_jpeg(width: int, height: int) -> bytes:
    rng = random.Random(width * height)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def put(h: Harness, actor: Actor, path: str, data: bytes, kind: str | None = None) -> None:
    h.run(h.core.files.upload(actor, "home", path, _body(data), content_type=kind))


def read(h: Harness, download: Download) -> bytes:
    async def collect() -> bytes:
        return b"".join([piece async for piece in h.core.files.stream(download)])

    return h.run(collect())


def preview_rows(h: Harness) -> int:
    return int(
        h.core.ctx.db.read_sync(
            lambda c: c.execute(sa.select(sa.func.count()).select_from(previews)).scalar_one()
        )
    )


def test_a_thumbnail_is_a_small_webp_made_once(harness: Harness, actor: Actor) -> None:
    put(harness, actor, "photo.jpg", noisy_jpeg(1200, 800))
    before = preview_rows(harness)
    first = harness.run(harness.core.previews.thumbnail(actor, "home", "photo.jpg", 128))
    with Image.open(io.BytesIO(read(harness, first))) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (128, 85))
    again = harness.run(harness.core.previews.thumbnail(actor, "home", "photo.jpg", 128))
    assert (again.etag, again.manifest) == (first.etag, first.manifest)
    assert preview_rows(harness) == before + 1
    big = harness.run(harness.core.previews.thumbnail(actor, "home", "photo.jpg", 1024))
    with Image.open(io.BytesIO(read(harness, big))) as picture:
        assert picture.size == (1024, 683)
    assert big.etag != first.etag
    with pytest.raises(Invalid):
        harness.run(harness.core.previews.thumbnail(actor, "home", "photo.jpg", 300))


def test_only_those_who_may_open_the_file_get_its_thumbnail(harness: Harness, actor: Actor) -> None:
    put(harness, actor, "private.png", noisy_jpeg(64, 64), "image/jpeg")
    stranger = harness.new_actor()
    with pytest.raises(NotFound):
        harness.run(harness.core.previews.thumbnail(stranger, "home", "private.png", 128))


def _bomb_png(width: int, height: int) -> bytes:
    """A valid tiny PNG whose header claims `width` x `height` pixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def test_what_is_not_a_decodable_small_image_gets_no_thumbnail(
    harness: Harness, actor: Actor
) -> None:
    cases = {
        "notes.txt": (b"just text", None),
        "drawing.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        "broken.jpg": (b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg"),
        "bomb.png": (_bomb_png(40_000, 40_000), "image/png"),
        "disguised.png": (b"%PDF-1.4 a pdf named png", "image/png"),
    }
    for name, (data, kind) in cases.items():
        put(harness, actor, name, data, kind)
        for _ in range(2):  # the second time from the remembered answer
            with pytest.raises(NotFound):
                harness.run(harness.core.previews.thumbnail(actor, "home", name, 128))


def _preview_chunks(h: Harness, version_id: str) -> set[str]:
    rows = h.core.ctx.db.read_sync(
        lambda c: (
            c.execute(sa.select(previews.c.manifest).where(previews.c.version_id == version_id))
            .scalars()
            .all()
        )
    )
    return {
        name for manifest in rows if manifest for name in Manifest.from_bytes(manifest).chunk_names
    }


def test_thumbnails_are_encrypted_and_go_with_their_version(harness: Harness, actor: Actor) -> None:
    put(harness, actor, "big.jpg", noisy_jpeg(1600, 1600))
    big = harness.run(harness.core.previews.thumbnail(actor, "home", "big.jpg", 1024))
    version = big.etag.split(".")[0]
    chunks = _preview_chunks(harness, version)
    assert chunks and big.manifest.inline is None  # large enough to be stored as chunks
    assert chunks <= harness.core.ctx.db.read_sync(referenced_names)
    blobs = harness.core.ctx.blobs
    stored = b"".join(blobs.get_range(name, 0, blobs.stat(name).size) for name in chunks)
    assert b"WEBP" not in stored and len(stored) >= big.size  # sealed, not the picture

    harness.run(harness.core.tree.delete(actor, "home", "big.jpg"))
    assert _preview_chunks(harness, version) == chunks  # in the trash: still restorable
    harness.run(harness.core.tree.purge(actor, "home"))
    assert _preview_chunks(harness, version) == set()
    live = harness.core.ctx.db.read_sync(referenced_names)
    assert not chunks & live
    report = collect_garbage(blobs, live, grace_seconds=0)
    assert chunks <= set(report.deleted)
