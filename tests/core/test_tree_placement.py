"""Copies stay bounded: the node limit, trashed children left out, chunks shared."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from podstore.core.context import Actor
from podstore.core.errors import Invalid
from podstore.core.names import MAX_PATH_DEPTH
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


def test_share_copies_references_and_forks_obey_the_copy_limit(
    harness: Harness, actor: Actor
) -> None:
    core = harness.core
    friend = harness.new_actor()
    for n in range(3):
        harness.run(core.files.upload(actor, "home", f"album/p{n}", once(b"x")))
    settings = core.ctx.settings
    before = settings.max_copy_nodes
    settings.max_copy_nodes = 3  # the folder and its three files are four nodes
    try:
        with pytest.raises(Invalid, match="at most 3"):
            harness.run(core.offers.share_copy(actor, "home", "album", friend.name))
        with pytest.raises(Invalid, match="at most 3"):
            harness.run(core.offers.create_ref(actor, "home", "album"))
        with pytest.raises(Invalid, match="at most 3"):
            harness.run(core.sharing.fork(actor, "home", "home-fork"))
        settings.max_copy_nodes = 4
        harness.run(core.offers.share_copy(actor, "home", "album", friend.name))
    finally:
        settings.max_copy_nodes = before
    assert [o.name for o in harness.run(core.offers.inbox(friend))] == ["album"]


def test_a_received_copy_may_not_land_deeper_than_the_limit(harness: Harness, actor: Actor) -> None:
    core = harness.core
    friend = harness.new_actor()
    harness.run(core.files.upload(actor, "home", "deep/a/b/c.txt", once(b"c")))
    ref = harness.run(core.offers.create_ref(actor, "home", "deep")).ref
    shallow = "/".join(["d"] * (MAX_PATH_DEPTH - 4))  # deep/a/b/c.txt adds four levels
    harness.run(core.tree.mkdir(friend, "home", shallow + "/e", parents=True))
    with pytest.raises(Invalid, match="levels deep"):
        harness.run(core.offers.receive(friend, "home", shallow + "/e", ref=ref))
    harness.run(core.offers.receive(friend, "home", shallow, ref=ref))
    assert read_file(harness, friend, shallow + "/deep/a/b/c.txt") == b"c"
