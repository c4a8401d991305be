"""A link on a pod's root as a pod reference (core.links.pod_of, join; core.sharing.fork with
a reader): the FairOS pod share → receive and fork-from-reference."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from podstore.core.context import Actor
from podstore.core.errors import Conflict, NotFound, PermissionDenied
from tests.core.conftest import Harness


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def read(harness: Harness, actor: Actor, pod: str, path: str) -> bytes:
    core = harness.core

    async def go() -> bytes:
        handle = await core.files.open(actor, pod, path)
        return b"".join([piece async for piece in core.files.stream(handle)])

    return harness.run(go())


def test_a_joined_pod_is_a_live_read_only_view_that_outlives_the_link(harness: Harness) -> None:
    core = harness.core
    owner, reader = harness.new_actor(), harness.new_actor()
    harness.run(core.files.upload(owner, "home", "a.txt", once(b"first")))
    made = harness.run(core.links.create(owner, "home", "/"))
    link = harness.run(core.links.open(made.token, None, None))
    shared = harness.run(core.links.pod_of(link))
    assert (shared.name, shared.owner) == ("home", owner.name)

    joined = harness.run(core.links.join(reader, link, "theirs"))
    assert joined.name == "theirs"
    harness.run(core.files.upload(owner, "home", "b.txt", once(b"later")))
    assert read(harness, reader, "theirs", "b.txt") == b"later"
    with pytest.raises(PermissionDenied):
        harness.run(core.files.upload(reader, "theirs", "c.txt", once(b"no")))
    listed = {p.name: p.role for p in harness.run(core.pods.list(reader))}
    assert listed["theirs"] == "viewer"

    with pytest.raises(Conflict):
        harness.run(core.links.join(reader, link, "again"))
    with pytest.raises(Conflict):
        harness.run(core.links.join(owner, link, "mine"))
    harness.run(core.links.revoke(owner, made.link.id))
    assert read(harness, reader, "theirs", "a.txt") == b"first"


def test_only_a_link_on_a_pod_root_is_a_pod_reference(harness: Harness) -> None:
    core = harness.core
    owner, reader = harness.new_actor(), harness.new_actor()
    harness.run(core.files.upload(owner, "home", "d/a.txt", once(b"x")))
    made = harness.run(core.links.create(owner, "home", "d"))
    link = harness.run(core.links.open(made.token, None, None))
    with pytest.raises(NotFound):
        harness.run(core.links.pod_of(link))
    with pytest.raises(NotFound):
        harness.run(core.links.join(reader, link))


def test_a_fork_through_a_link_is_the_readers_own_copy(harness: Harness) -> None:
    core = harness.core
    owner, reader = harness.new_actor(), harness.new_actor(pod=None)
    harness.run(core.files.upload(owner, "home", "d/a.txt", once(b"forked")))
    made = harness.run(core.links.create(owner, "home", "/"))
    link = harness.run(core.links.open(made.token, None, None))
    harness.run(core.sharing.fork(reader, link.user_id, "copy", reader=link))
    assert read(harness, reader, "copy", "d/a.txt") == b"forked"
    harness.run(core.files.upload(reader, "copy", "d/a.txt", once(b"changed")))
    assert read(harness, owner, "home", "d/a.txt") == b"forked"
    listed = {p.name: p.role for p in harness.run(core.pods.list(reader))}
    assert listed == {"copy": "owner"}


def test_a_link_on_a_pod_root_reads_its_tables_and_nothing_less_does(harness: Harness) -> None:
    core = harness.core
    owner = harness.new_actor()
    harness.run(core.kv.create(owner, "home", "t", "string"))
    harness.run(core.kv.put(owner, "home", "t", "k", b"v"))
    harness.run(core.tree.mkdir(owner, "home", "d"))
    whole = harness.run(
        core.links.open(harness.run(core.links.create(owner, "home", "/")).token, None, None)
    )
    assert harness.run(core.kv.get(whole, whole.user_id, "t", "k")) == b"v"
    with pytest.raises(PermissionDenied):
        harness.run(core.kv.put(whole, whole.user_id, "t", "k", b"no"))
    part = harness.run(
        core.links.open(harness.run(core.links.create(owner, "home", "d")).token, None, None)
    )
    with pytest.raises(NotFound):
        harness.run(core.kv.get(part, part.user_id, "t", "k"))
