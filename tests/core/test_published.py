"""Published files (core.published) and how an actor reaches a scope (core.pods.scope)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from podstore.core.context import Actor
from podstore.core.errors import NotFound, PermissionDenied
from tests.core.conftest import Harness


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def put(harness: Harness, actor: Actor, path: str, data: bytes) -> None:
    harness.run(harness.core.files.upload(actor, "home", path, once(data)))


def read_published(harness: Harness, token: str) -> bytes:
    core = harness.core

    async def read() -> bytes:
        reader = await core.links.open(token, None, None)
        handle = await core.links.download(reader, "")
        return b"".join([piece async for piece in core.files.stream(handle)])

    return harness.run(read())


def directory_tokens(harness: Harness) -> dict[str, str]:
    return {f.token: f.node.name for f in harness.run(harness.core.published.directory())}


def test_publishing_lists_the_file_for_anyone_until_unpublished(
    harness: Harness, actor: Actor
) -> None:
    core = harness.core
    put(harness, actor, "notes/plan.txt", b"the plan")
    put(harness, actor, "notes/private.txt", b"mine")
    harness.run(core.links.create(actor, "home", "notes/private.txt"))  # a link, not published
    token = harness.run(core.published.publish(actor, "home", "notes/plan.txt"))
    assert harness.run(core.published.publish(actor, "home", "/notes/plan.txt")) == token
    listed = directory_tokens(harness)
    assert listed[token] == "plan.txt"
    assert "private.txt" not in listed.values()
    assert read_published(harness, token) == b"the plan"

    harness.run(core.published.unpublish(actor, token))
    assert token not in directory_tokens(harness)
    with pytest.raises(NotFound):
        read_published(harness, token)


def test_a_trashed_file_leaves_the_directory_and_comes_back_restored(
    harness: Harness, actor: Actor
) -> None:
    core = harness.core
    put(harness, actor, "draft.txt", b"draft")
    token = harness.run(core.published.publish(actor, "home", "draft.txt"))
    trashed = harness.run(core.tree.delete(actor, "home", "draft.txt"))
    assert token not in directory_tokens(harness)
    harness.run(core.tree.restore(actor, "home", trashed.id))
    assert token in directory_tokens(harness)


def test_only_a_manager_publishes_and_unpublishes(harness: Harness, actor: Actor) -> None:
    core = harness.core
    put(harness, actor, "shared/doc.txt", b"doc")
    reader = harness.new_actor(pod=None)
    harness.run(core.sharing.share(actor, "home", "shared", user=reader.name, level="delete"))
    scope = harness.run(core.sharing.incoming(reader))[0].scope
    with pytest.raises(PermissionDenied):
        harness.run(core.published.publish(reader, scope, "doc.txt"))
    token = harness.run(core.published.publish(actor, "home", "shared/doc.txt"))
    with pytest.raises(NotFound):
        harness.run(core.published.unpublish(reader, token))
    with pytest.raises(NotFound):
        harness.run(core.published.unpublish(actor, token[:-2] + "AA"))
    assert token in directory_tokens(harness)


def test_scope_names_the_owner_and_the_level(harness: Harness, actor: Actor) -> None:
    core = harness.core
    put(harness, actor, "team/a.txt", b"a")
    own = harness.run(core.pods.scope(actor, "home"))
    assert (own.owner_id, own.level, own.kind, own.name) == (
        actor.user_id,
        "manage",
        "member",
        "home",
    )
    guest = harness.new_actor(pod=None)
    harness.run(core.sharing.share(actor, "home", "team", user=guest.name, level="write"))
    scope = harness.run(core.sharing.incoming(guest))[0].scope
    granted = harness.run(core.pods.scope(guest, scope))
    assert (granted.owner_id, granted.level, granted.kind) == (actor.user_id, "write", "grant")
    assert granted.pod_id == own.pod_id
    with pytest.raises(NotFound):
        harness.run(core.pods.scope(guest, own.pod_id))
