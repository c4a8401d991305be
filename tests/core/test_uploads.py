"""Resumable uploads in the core: handshake and tus sessions, content hashes, GC, expiry."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import blake3
import pytest
import sqlalchemy as sa

from podstore.core.context import Actor
from podstore.core.errors import (
    ChecksumMismatch,
    Conflict,
    Invalid,
    NotFound,
    QuotaExceeded,
    TooManyRequests,
)
from podstore.core.maintenance import referenced_names
from podstore.core.records import DeclaredChunk
from podstore.core.uploads.sessions import expire_sessions
from podstore.meta.schema import nodes, versions
from podstore.meta.uploads_schema import upload_sessions
from podstore.storage.chunker import cut_all
from tests.core.conftest import Harness

MiB = 1024 * 1024


def declare(data: bytes, harness: Harness) -> tuple[list[tuple[int, int]], list[DeclaredChunk]]:
    cuts = cut_all(data, harness.core.ctx.engine.params)
    return cuts, [DeclaredChunk(n, blake3.blake3(data[o : o + n]).digest()) for o, n in cuts]


def content_hash_of(harness: Harness, pod_path: str) -> bytes:
    name = pod_path.rsplit("/", 1)[-1]

    def query(conn: sa.Connection) -> bytes:
        return bytes(
            conn.execute(
                sa.select(versions.c.content_hash)
                .join(nodes, nodes.c.version_id == versions.c.id)
                .where(nodes.c.name == name)
            ).scalar_one()
        )

    return harness.core.ctx.db.read_sync(query)


async def pieces(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def read_file(harness: Harness, actor: Actor, path: str) -> bytes:
    async def go() -> bytes:
        handle = await harness.core.files.open(actor, "home", path)
        return b"".join([p async for p in harness.core.files.stream(handle)])

    return harness.run(go())


def test_handshake_hash_matches_plain_upload(harness: Harness, actor: Actor) -> None:
    core = harness.core
    data = os.urandom(9 * MiB + 123)
    cuts, declared = declare(data, harness)
    session = harness.run(core.uploads.create(actor, "home", "hs/a.bin", len(data), declared))
    assert session.missing == list(range(len(cuts)))
    for i in reversed(session.missing):  # in any order
        o, n = cuts[i]
        harness.run(core.uploads.put_chunk(actor, session.id, i, data[o : o + n]))
    info = harness.run(core.uploads.commit(actor, session.id))
    assert info.node.size == len(data) and info.new_file
    assert harness.run(core.uploads.commit(actor, session.id)) == info  # idempotent
    harness.run(core.files.upload(actor, "home", "hs/plain.bin", pieces(data)))
    assert content_hash_of(harness, "hs/a.bin") == content_hash_of(harness, "hs/plain.bin")
    assert read_file(harness, actor, "hs/a.bin") == data
    # the same content from a new session: nothing missing, the same hash
    again = harness.run(core.uploads.create(actor, "home", "hs/b.bin", len(data), declared))
    assert again.missing == []
    harness.run(core.uploads.commit(actor, again.id))
    assert content_hash_of(harness, "hs/b.bin") == content_hash_of(harness, "hs/plain.bin")


def test_small_and_empty_files_are_inline(harness: Harness, actor: Actor) -> None:
    core = harness.core
    for size in (0, 1000):
        data = os.urandom(size)
        _, declared = declare(data, harness) if size else ([], [])
        s = harness.run(core.uploads.create(actor, "home", f"small/{size}", size, declared))
        for i in s.missing:
            harness.run(core.uploads.put_chunk(actor, s.id, i, data))
        assert harness.run(core.uploads.commit(actor, s.id)).node.size == size
        assert read_file(harness, actor, f"small/{size}") == data


def test_bad_chunks_and_missing_commit(harness: Harness, actor: Actor) -> None:
    core = harness.core
    data = os.urandom(3 * MiB)
    cuts, declared = declare(data, harness)
    s = harness.run(core.uploads.create(actor, "home", "bad.bin", len(data), declared))
    o, n = cuts[0]
    corrupt = bytearray(data[o : o + n])
    corrupt[10] ^= 1
    with pytest.raises(Invalid):
        harness.run(core.uploads.put_chunk(actor, s.id, 0, bytes(corrupt)))
    with pytest.raises(Invalid):
        harness.run(core.uploads.put_chunk(actor, s.id, 0, data[o : o + n - 1]))
    with pytest.raises(Conflict):
        harness.run(core.uploads.commit(actor, s.id))
    with pytest.raises(NotFound):
        harness.run(core.files.open(actor, "home", "bad.bin"))
    with pytest.raises(Invalid):  # sizes that do not add up
        harness.run(core.uploads.create(actor, "home", "x", len(data) + 1, declared))
    other = harness.new_actor()
    with pytest.raises(NotFound):
        harness.run(core.uploads.status(other, s.id))


def test_chunks_of_a_long_request_are_marked_while_it_runs(harness: Harness, actor: Actor) -> None:
    """A request of many chunks whose sender stalls (or whose node dies) before the end has
    already recorded most of what it stored: a resume sends only the rest."""
    core = harness.core
    data = os.urandom(40 * MiB)
    cuts, declared = declare(data, harness)
    s = harness.run(core.uploads.create(actor, "home", "long.bin", len(data), declared))
    assert len(cuts) >= 8
    last = cuts[-1][0]

    async def go() -> tuple[int, int]:
        stall = asyncio.Event()

        async def body() -> AsyncIterator[bytes]:
            async for piece in pieces(data[:last]):
                yield piece
            await stall.wait()
            raise ConnectionResetError("the client went away")

        request = asyncio.ensure_future(core.uploads.put_chunk(actor, s.id, 0, body(), len(data)))
        for _ in range(500):  # until some of it is recorded, or 10 s
            if (await core.uploads.status(actor, s.id)).received_bytes:
                break
            await asyncio.sleep(0.02)
        during = (await core.uploads.status(actor, s.id)).received_bytes
        assert not request.done()  # still waiting for the last chunk
        stall.set()
        with pytest.raises(ConnectionResetError):
            await request
        return during, (await core.uploads.status(actor, s.id)).received_bytes

    during, after = harness.run(go())
    assert 0 < during <= after == last


def test_sessions_hold_chunks_until_they_expire(harness: Harness, actor: Actor) -> None:
    core = harness.core
    data = os.urandom(2 * MiB)
    cuts, declared = declare(data, harness)
    s = harness.run(core.uploads.create(actor, "home", "held.bin", len(data), declared))
    o, n = cuts[0]
    harness.run(core.uploads.put_chunk(actor, s.id, 0, data[o : o + n]))
    held = core.ctx.db.read_sync(referenced_names)
    chunk_name = core.ctx.db.read_sync(
        lambda c: c.execute(
            sa.text("select chunk_id from upload_chunks where session_id = :s and idx = 0"),
            {"s": s.id},
        ).scalar_one()
    )
    assert chunk_name in held
    core.ctx.db.write_sync(
        lambda c: c.execute(
            upload_sessions.update().where(upload_sessions.c.id == s.id).values(expires_at=0.0)
        )
    )
    with pytest.raises(NotFound):
        harness.run(core.uploads.status(actor, s.id))
    assert core.ctx.db.write_sync(expire_sessions) >= 1
    assert chunk_name not in core.ctx.db.read_sync(referenced_names)


def test_limits(harness: Harness) -> None:
    core = harness.core
    actor = harness.new_actor()
    settings = core.settings
    old = settings.max_upload_sessions, settings.max_unfinished_bytes
    try:
        settings.max_upload_sessions, settings.max_unfinished_bytes = 2, 10 * MiB
        data = os.urandom(MiB)
        _, declared = declare(data, harness)
        with pytest.raises(QuotaExceeded):
            harness.run(core.tus.create(actor, "home", 11 * MiB, {"path": "big"}, None))
        for n in range(2):
            harness.run(core.uploads.create(actor, "home", f"l{n}", len(data), declared))
        with pytest.raises(TooManyRequests):
            harness.run(core.uploads.create(actor, "home", "l3", len(data), declared))
    finally:
        settings.max_upload_sessions, settings.max_unfinished_bytes = old


def test_tus_broken_patch_keeps_what_arrived(harness: Harness, actor: Actor) -> None:
    core = harness.core
    data = os.urandom(21 * MiB + 7)
    state = harness.run(core.tus.create(actor, "home", len(data), {"path": "tus/ta.bin"}, None))

    async def broken(upto: int) -> AsyncIterator[bytes]:
        async for piece in pieces(data[:upto]):
            yield piece
        raise Invalid("the client went away")

    with pytest.raises(Invalid):
        harness.run(core.tus.patch(actor, state.id, 0, broken(19 * MiB)))
    offset = harness.run(core.tus.state(actor, state.id)).offset
    assert offset == 19 * MiB
    with pytest.raises(Conflict):
        harness.run(core.tus.patch(actor, state.id, 0, pieces(data)))
    import hashlib

    rest = data[offset : offset + MiB]
    bad = ("sha1", hashlib.sha1(b"nope").digest())
    with pytest.raises(ChecksumMismatch):
        harness.run(core.tus.patch(actor, state.id, offset, pieces(rest), bad))
    assert harness.run(core.tus.state(actor, state.id)).offset == offset
    good = ("sha1", hashlib.sha1(rest).digest())
    harness.run(core.tus.patch(actor, state.id, offset, pieces(rest), good))
    offset += len(rest)
    done = harness.run(core.tus.patch(actor, state.id, offset, pieces(data[offset:])))
    assert done.done and done.offset == len(data)
    harness.run(core.files.upload(actor, "home", "tus/tplain.bin", pieces(data)))
    assert content_hash_of(harness, "tus/ta.bin") == content_hash_of(harness, "tus/tplain.bin")
    assert read_file(harness, actor, "tus/ta.bin") == data
