"""Copies stay bounded: the node limit, trashed children left out, chunks shared."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from podstore.core.context import Actor
from podstore.core.errors import Invalid
from tests.core.conftest import Harness
from tests.core.test_uploads import read_file


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def test_a_copy_larger_than_the_setting_is_refused(harness: Harness, actor: Actor) -> None:
    core = harness.core
    for n in range(6):
        harness.run(core.files.upload(actor, "home", f"big/f{n}", once(b"x")))
    settings = core.ctx.settings
    before = settings.max_copy_nodes
    settings.max_copy_nodes = 6  # the folder and its six files are seven nodes
    try:
        with pytest.raises(Invalid, match="at most 6"):
            harness.run(core.tree.copy(actor, "home", "big", "big-copy"))
        settings.max_copy_nodes = 7
        harness.run(core.tree.copy(actor, "home", "big", "big-copy"))
    finally:
        settings.max_copy_nodes = before
    listing = harness.run(core.tree.list(actor, "home", "big-copy"))
    assert sorted(e.name for e in listing.entries) == [f"f{n}" for n in range(6)]


def test_copy_leaves_out_trashed_children_and_shares_content(
    harness: Harness, actor: Actor
) -> None:
    core = harness.core
    big = bytes(range(256)) * 1024  # chunked, not inline
    harness.run(core.files.upload(actor, "home", "src/keep.bin", once(big)))
    harness.run(core.files.upload(actor, "home", "src/sub/gone.txt", once(b"gone")))
    harness.run(core.tree.delete(actor, "home", "src/sub/gone.txt"))
    used = harness.run(core.pods.stat(actor, "home")).used_bytes
    harness.run(core.tree.copy(actor, "home", "src", "dst"))
    assert read_file(harness, actor, "dst/keep.bin") == big
    sub = harness.run(core.tree.list(actor, "home", "dst/sub"))
    assert sub.entries == []
    assert harness.run(core.pods.stat(actor, "home")).used_bytes == used + len(big)
    # the original keeps its content when the copy is purged
    harness.run(core.tree.delete(actor, "home", "dst"))
    harness.run(core.tree.purge(actor, "home"))
    assert read_file(harness, actor, "src/keep.bin") == big
