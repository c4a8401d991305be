"""Modes on nodes (core.tree.chmod): set by an editor, shown by stat and list, kept by a fork."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from podstore.core.context import Actor
from podstore.core.errors import Invalid, PermissionDenied
from tests.core.conftest import Harness


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def test_a_mode_is_set_shown_and_forked(harness: Harness, actor: Actor) -> None:
    core = harness.core
    harness.run(core.files.upload(actor, "home", "d/a.txt", once(b"x")))
    assert harness.run(core.tree.stat(actor, "home", "d/a.txt")).mode is None
    assert harness.run(core.tree.chmod(actor, "home", "d/a.txt", 0o644)).mode == 0o644
    harness.run(core.tree.chmod(actor, "home", "d", 0o755))
    assert harness.run(core.tree.stat(actor, "home", "d/a.txt")).mode == 0o644
    listed = harness.run(core.tree.list(actor, "home", "/")).entries
    assert [(n.name, n.mode) for n in listed] == [("d", 0o755)]
    harness.run(core.sharing.fork(actor, "home", "copy"))
    assert harness.run(core.tree.stat(actor, "copy", "d/a.txt")).mode == 0o644
    with pytest.raises(Invalid):
        harness.run(core.tree.chmod(actor, "home", "d", 0o10000))


def test_a_viewer_cannot_change_a_mode(harness: Harness, actor: Actor) -> None:
    viewer = harness.new_actor(pod=None)
    harness.add_member(actor, "home", viewer, "viewer", "theirs")
    harness.run(harness.core.tree.mkdir(actor, "home", "d"))
    with pytest.raises(PermissionDenied):
        harness.run(harness.core.tree.chmod(viewer, "theirs", "d", 0o700))
    assert harness.run(harness.core.tree.stat(actor, "home", "d")).mode is None
