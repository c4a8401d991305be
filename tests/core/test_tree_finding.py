"""Search by name and walking a selection: live nodes only, inside the scope, bounded."""

from __future__ import annotations

import pytest

from podstore.core.context import Actor
from podstore.core.errors import Invalid
from tests.core.conftest import Harness
from tests.core.test_tree_placement import once


def test_search_finds_names_in_any_case_and_skips_the_trash(harness: Harness, actor: Actor) -> None:
    core = harness.core
    for path in ["Report.pdf", "docs/report-2024.txt", "docs/old/REPORT.md", "other.txt"]:
        harness.run(core.files.upload(actor, "home", path, once(b"x")))
    harness.run(core.files.upload(actor, "home", "gone/report.bin", once(b"x")))
    harness.run(core.tree.delete(actor, "home", "gone"))
    found = harness.run(core.tree.search(actor, "home", "report"))
    assert sorted(n.path or "" for n in found) == [
        "/Report.pdf",
        "/docs/old/REPORT.md",
        "/docs/report-2024.txt",
    ]
    assert harness.run(core.tree.search(actor, "home", "%")) == []  # a literal percent sign
    with pytest.raises(Invalid):
        harness.run(core.tree.search(actor, "home", "  "))


def test_search_through_a_share_stays_inside_it(harness: Harness, actor: Actor) -> None:
    core = harness.core
    friend = harness.new_actor(pod=None)
    harness.run(core.files.upload(actor, "home", "shared/plan.txt", once(b"x")))
    harness.run(core.files.upload(actor, "home", "private/plan-b.txt", once(b"x")))
    grant = harness.run(core.sharing.share(actor, "home", "shared", user=friend.name))
    found = harness.run(core.tree.search(friend, grant.scope, "plan"))
    assert [n.path for n in found] == ["/plan.txt"]


def test_walk_names_entries_relative_to_the_selection(harness: Harness, actor: Actor) -> None:
    core = harness.core
    for path in ["a/one.txt", "a/sub/two.txt", "b/a/three.txt", "top.txt"]:
        harness.run(core.files.upload(actor, "home", path, once(b"x")))
    harness.run(core.files.upload(actor, "home", "a/sub/trashed.txt", once(b"x")))
    harness.run(core.tree.delete(actor, "home", "a/sub/trashed.txt"))
    entries = harness.run(core.tree.walk(actor, "home", ["a", "top.txt", "b/a"]))
    named = {e.relative: (e.node.kind, e.node.path) for e in entries}
    assert named == {
        "a": ("dir", "/a"),
        "a/one.txt": ("file", "/a/one.txt"),
        "a/sub": ("dir", "/a/sub"),
        "a/sub/two.txt": ("file", "/a/sub/two.txt"),
        "top.txt": ("file", "/top.txt"),
        "a (2)": ("dir", "/b/a"),
        "a (2)/three.txt": ("file", "/b/a/three.txt"),
    }
    with pytest.raises(Invalid):
        harness.run(core.tree.walk(actor, "home", []))


def test_recent_files_newest_first_without_the_trash(harness: Harness, actor: Actor) -> None:
    core = harness.core
    for path in ["old.txt", "docs/mid.txt", "docs/new.txt", "gone/x.txt"]:
        harness.run(core.files.upload(actor, "home", path, once(b"x")))
    harness.run(core.tree.delete(actor, "home", "gone"))
    harness.run(core.files.upload(actor, "home", "old.txt", once(b"changed")))
    recent = harness.run(core.tree.recent(actor, "home", 3))
    assert [n.path for n in recent] == ["/old.txt", "/docs/new.txt", "/docs/mid.txt"]
