"""core.dav: locks stand in the way of writes without their token, conflict as RFC 4918
says, expire and refresh; dead properties follow a node through a move and a copy."""

from __future__ import annotations

import pytest

from podstore.core.context import Actor
from podstore.core.errors import Conflict, Invalid, Locked, PermissionDenied, PreconditionFailed
from tests.core.conftest import Harness


async def _one(data: bytes):  # type: ignore[no-untyped-def]
    yield data


def put(h: Harness, actor: Actor, path: str, data: bytes = b"x") -> None:
    h.run(h.core.files.upload(actor, "home", path, _one(data), size_hint=len(data)))


def test_an_exclusive_lock_needs_its_token_for_every_write(harness: Harness, actor: Actor) -> None:
    dav = harness.core.dav
    put(harness, actor, "docs/a.txt")
    lock = harness.run(
        dav.lock(actor, "home", "docs/a.txt", exclusive=True, infinite=False, owner="", seconds=60)
    )
    assert lock.path == "/docs/a.txt" and lock.token.startswith("urn:uuid:")
    with pytest.raises(Locked) as refused:
        harness.run(dav.check_write(actor, "home", "docs/a.txt", frozenset()))
    assert refused.value.root == "/docs/a.txt"
    node = harness.run(dav.check_write(actor, "home", "docs/a.txt", frozenset({lock.token})))
    assert node is not None and node.name == "a.txt"
    # a sibling is free; deleting the folder would take the locked file with it
    assert harness.run(dav.check_write(actor, "home", "docs/b.txt", frozenset())) is None
    with pytest.raises(Locked):
        harness.run(dav.check_write(actor, "home", "docs", frozenset(), subtree=True))
    # someone else's token does not count, even the right string
    other = harness.new_actor(pod=None)
    harness.add_member(actor, "home", other, "editor", "theirs")
    with pytest.raises(Locked):
        harness.run(dav.check_write(other, "theirs", "docs/a.txt", frozenset({lock.token})))
    with pytest.raises(PermissionDenied):
        harness.run(dav.unlock(other, "theirs", "docs/a.txt", lock.token))
    harness.run(dav.unlock(actor, "home", "docs/a.txt", lock.token))
    assert harness.run(dav.check_write(actor, "home", "docs/a.txt", frozenset())) is not None
    with pytest.raises(Invalid):  # the owner is the client's text, kept: it is bounded
        harness.run(
            dav.lock(
                actor,
                "home",
                "docs/a.txt",
                exclusive=True,
                infinite=False,
                owner="x" * 20_000,
                seconds=60,
            )
        )


def test_depth_infinity_covers_new_members_and_conflicts(harness: Harness, actor: Actor) -> None:
    dav = harness.core.dav
    harness.run(harness.core.tree.mkdir(actor, "home", "proj"))
    put(harness, actor, "proj/inner/f.txt")
    lock = harness.run(
        dav.lock(actor, "home", "proj", exclusive=False, infinite=True, owner="<x/>", seconds=60)
    )
    with pytest.raises(Locked):
        harness.run(dav.check_write(actor, "home", "proj/new.txt", frozenset()))
    with pytest.raises(Locked):
        harness.run(dav.check_write(actor, "home", "proj/inner/f.txt", frozenset()))
    # shared locks coexist; an exclusive one inside conflicts
    again = harness.run(
        dav.lock(actor, "home", "proj", exclusive=False, infinite=False, owner="", seconds=60)
    )
    with pytest.raises(Locked):
        harness.run(
            dav.lock(
                actor, "home", "proj/inner", exclusive=True, infinite=False, owner="", seconds=9
            )
        )
    view = harness.run(dav.view(actor, "home", "proj", 1, set()))
    inner = next(e for e in view.entries if e.name == "inner")
    assert {lk.token for lk in view.locks[inner.id]} == {lock.token}
    assert {lk.token for lk in view.locks[view.entries[0].id]} == {lock.token, again.token}
    refreshed = harness.run(dav.refresh(actor, "home", "proj/inner", frozenset({lock.token}), 120))
    assert refreshed.token == lock.token and refreshed.timeout == 120
    with pytest.raises(PreconditionFailed):
        harness.run(dav.refresh(actor, "home", "proj", frozenset({"urn:uuid:nope"}), 120))
    with pytest.raises(Conflict):
        harness.run(dav.unlock(actor, "home", "proj/inner", again.token))  # depth 0 elsewhere


def test_a_missing_parent_is_a_conflict(harness: Harness, actor: Actor) -> None:
    with pytest.raises(Conflict):
        harness.run(harness.core.dav.check_write(actor, "home", "nowhere/x.txt", frozenset()))


def test_dead_properties_follow_moves_and_copies(harness: Harness, actor: Actor) -> None:
    dav, tree = harness.core.dav, harness.core.tree
    put(harness, actor, "p/doc.txt")
    changes = [("urn:a", "colour", "blue"), ("urn:a", "size", "<b xmlns='urn:b'>9</b>")]
    harness.run(dav.set_properties(actor, "home", "p/doc.txt", changes, frozenset()))
    harness.run(tree.move(actor, "home", "p", "q"))
    harness.run(tree.copy(actor, "home", "q", "r"))
    harness.run(dav.copy_properties(actor, "home", "q", "r"))
    for folder in ("q", "r"):
        view = harness.run(dav.view(actor, "home", f"{folder}/doc.txt", 0, None))
        got = {(p.name, p.value) for p in view.properties[view.entries[0].id]}
        assert got == {("colour", "blue"), ("size", "<b xmlns='urn:b'>9</b>")}
    harness.run(
        dav.set_properties(actor, "home", "r/doc.txt", [("urn:a", "colour", None)], frozenset())
    )
    view = harness.run(dav.view(actor, "home", "r/doc.txt", 0, {("urn:a", "colour")}))
    assert view.properties == {}


def test_another_users_lock_holds_against_every_front_end(harness: Harness, actor: Actor) -> None:
    """A lock taken over WebDAV stops another member's writes through any front end (the
    core's own calls), not the lock holder's; after the unlock they go through."""
    core = harness.core
    put(harness, actor, "team/plan.txt", b"v1")
    put(harness, actor, "outside.txt", b"o")
    editor = harness.new_actor(pod=None)
    harness.run(core.sharing.add_member(actor, "home", user=editor.name, role="editor"))
    lock = harness.run(
        core.dav.lock(actor, "home", "team", exclusive=True, infinite=True, owner="", seconds=60)
    )
    refused = [
        core.files.upload(editor, "home", "team/plan.txt", _one(b"v2"), size_hint=2),
        core.files.upload(editor, "home", "team/new.txt", _one(b"n"), size_hint=1),
        core.tree.mkdir(editor, "home", "team/sub"),
        core.tree.move(editor, "home", "team/plan.txt", "plan.txt"),
        core.tree.copy(editor, "home", "outside.txt", "team/outside.txt"),
        core.tree.delete(editor, "home", "team"),
    ]
    for call in refused:
        with pytest.raises(Locked):
            harness.run(call)
    # copying out of a locked folder changes nothing in it
    harness.run(core.tree.copy(editor, "home", "team", "copy-of-team"))
    put(harness, actor, "team/plan.txt", b"mine")  # the holder's other clients may write
    harness.run(core.dav.unlock(actor, "home", "team", lock.token))
    harness.run(core.files.upload(editor, "home", "team/plan.txt", _one(b"v3"), size_hint=2))
    harness.run(core.tree.delete(editor, "home", "team"))
