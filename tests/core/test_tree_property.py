"""Random mkdir/put/move/copy/delete/restore sequences against the real core, checked
against a model tree after every step: no cycle, no lost node, no listing that differs.

The model is a tree of Python objects: a folder is a dict of name -> child, a file is a
`File`. Trashed nodes keep a reference to the folder object they were in, so a restore
goes back to that folder wherever it has moved since, or to the root when that folder is
no longer live, as the core does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from podstore.core.context import Actor
from podstore.core.errors import Conflict, CoreError
from tests.core.conftest import Harness

NAMES = st.sampled_from(["a", "b", "c.txt", "d"])
POD = "home"


@dataclass(eq=False)
class File:
    data: bytes


@dataclass(eq=False)
class Folder:
    kids: dict[str, Folder | File] = field(default_factory=dict)


@dataclass
class Trashed:
    node_id: str
    parent: Folder
    name: str
    node: Folder | File


def restored_name(name: str, taken: set[str]) -> str:
    """The name a restore picks when `name` is taken (the core's rule, restated)."""
    candidate, counter = name, 1
    while candidate in taken:
        stem, dot, ext = name.rpartition(".") if "." in name[1:] else (name, "", "")
        suffix = " (restored)" if counter == 1 else f" (restored {counter})"
        candidate = f"{stem}{suffix}{dot}{ext}" if dot else f"{name}{suffix}"
        counter += 1
    return candidate


async def once(data: bytes) -> AsyncIterator[bytes]:
    yield data


class TreeMachine(RuleBasedStateMachine):
    harness: Harness

    def __init__(self) -> None:
        super().__init__()
        self.actor: Actor = self.harness.new_actor(POD)
        self.root = Folder()
        self.trash: list[Trashed] = []

    # -- model helpers ----------------------------------------------------------------------

    def paths(self, want: type | None = None) -> list[tuple[str, Folder | File]]:
        found: list[tuple[str, Folder | File]] = []

        def walk(path: str, folder: Folder) -> None:
            for name, kid in folder.kids.items():
                kid_path = f"{path}/{name}"
                if want is None or isinstance(kid, want):
                    found.append((kid_path, kid))
                if isinstance(kid, Folder):
                    walk(kid_path, kid)

        if want in (None, Folder):
            found.append(("", self.root))
        walk("", self.root)
        return found

    def folder_at(self, path: str) -> Folder:
        node: Folder | File = self.root
        for part in filter(None, path.split("/")):
            assert isinstance(node, Folder)
            node = node.kids[part]
        assert isinstance(node, Folder)
        return node

    def is_live(self, folder: Folder) -> bool:
        return any(node is folder for _, node in self.paths(Folder))

    @staticmethod
    def contains(node: Folder | File, other: Folder | File) -> bool:
        if node is other:
            return True
        return isinstance(node, Folder) and any(
            TreeMachine.contains(kid, other) for kid in node.kids.values()
        )

    def call(self, coro: Any, expect: type[CoreError] | None) -> Any:
        if expect is None:
            return self.harness.run(coro)
        with pytest.raises(expect):
            self.harness.run(coro)
        return None

    # -- rules ------------------------------------------------------------------------------

    @rule(data=st.data(), name=NAMES)
    def mkdir(self, data: st.DataObject, name: str) -> None:
        path, folder = data.draw(st.sampled_from(self.paths(Folder)))
        clash = name in folder.kids
        self.call(
            self.harness.core.tree.mkdir(self.actor, POD, f"{path}/{name}"),
            Conflict if clash else None,
        )
        if not clash:
            folder.kids[name] = Folder()

    @rule(data=st.data(), name=NAMES, content=st.binary(max_size=64))
    def put(self, data: st.DataObject, name: str, content: bytes) -> None:
        path, folder = data.draw(st.sampled_from(self.paths(Folder)))
        existing = folder.kids.get(name)
        expect = Conflict if isinstance(existing, Folder) else None
        upload = self.harness.core.files.upload(self.actor, POD, f"{path}/{name}", once(content))
        self.call(upload, expect)
        if expect is None:
            folder.kids[name] = File(content)

    @rule(data=st.data(), name=NAMES, copying=st.booleans())
    def move_or_copy(self, data: st.DataObject, name: str, copying: bool) -> None:
        movable = [(p, n) for p, n in self.paths() if p]
        if not movable:
            return
        source_path, node = data.draw(st.sampled_from(movable))
        target_path, target = data.draw(st.sampled_from(self.paths(Folder)))
        source_parent = self.folder_at(source_path.rpartition("/")[0])
        source_name = source_path.rpartition("/")[2]
        same_place = target is source_parent and name == source_name
        clash = name in target.kids and (copying or not same_place)
        expect = Conflict if self.contains(node, target) or clash else None
        op = self.harness.core.tree.copy if copying else self.harness.core.tree.move
        self.call(op(self.actor, POD, source_path, f"{target_path}/{name}"), expect)
        if expect is not None:
            return
        if copying:
            target.kids[name] = self.clone(node)
        else:
            del source_parent.kids[source_name]
            target.kids[name] = node

    def clone(self, node: Folder | File) -> Folder | File:
        if isinstance(node, File):
            return File(node.data)
        return Folder({name: self.clone(kid) for name, kid in node.kids.items()})

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        deletable = [(p, n) for p, n in self.paths() if p]
        if not deletable:
            return
        path, node = data.draw(st.sampled_from(deletable))
        parent_path, _, name = path.rpartition("/")
        gone = self.harness.run(self.harness.core.tree.delete(self.actor, POD, path))
        parent = self.folder_at(parent_path)
        del parent.kids[name]
        self.trash.append(Trashed(gone.id, parent, name, node))

    @rule(data=st.data())
    def restore(self, data: st.DataObject) -> None:
        if not self.trash:
            return
        item = data.draw(st.sampled_from(self.trash))
        self.harness.run(self.harness.core.tree.restore(self.actor, POD, item.node_id))
        self.trash.remove(item)
        parent = item.parent if self.is_live(item.parent) else self.root
        parent.kids[restored_name(item.name, set(parent.kids))] = item.node

    # -- the check ---------------------------------------------------------------------------

    def listing(self, path: str) -> dict[str, tuple[str, int]]:
        page = self.harness.run(self.harness.core.tree.list(self.actor, POD, path))
        assert page.next_cursor is None
        return {e.name: (e.kind, e.size) for e in page.entries}

    @invariant()
    def every_listing_matches_the_model(self) -> None:
        for path, folder in self.paths(Folder):
            assert isinstance(folder, Folder)
            expected = {
                name: ("dir", 0) if isinstance(kid, Folder) else ("file", len(kid.data))
                for name, kid in folder.kids.items()
            }
            assert self.listing(path) == expected, path

    def teardown(self) -> None:
        for path, node in self.paths(File):
            assert isinstance(node, File)

            async def read(p: str = path) -> bytes:
                handle = await self.harness.core.files.open(self.actor, POD, p)
                return b"".join([piece async for piece in self.harness.core.files.stream(handle)])

            assert self.harness.run(read()) == node.data, path


def test_random_tree_operations_match_the_model(harness: Harness) -> None:
    TreeMachine.harness = harness
    run_state_machine_as_test(
        TreeMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
