"""The authorization matrix every front end must honour, written once.

The owner's pod `proj` holds `shared/` (granted to three users at three levels) and
`private/`. Pod members (a viewer and an editor) reach the pod; grantees reach `shared/`
through their grant and try `private/` by the pod's id; a stranger and an anonymous client
guess the pod's id. Whatever each one tries, the private file stays untouched.
Renaming inside the granted folder counts as writing (as Nextcloud's "edit"): the old
content stays in the renamed file's versions, which a write grant cannot purge.
Routes only one front end has (public links, node ids, trash, versions) are in that front
end's own tests (e.g. tests/frontends/native/test_authz_matrix.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.contract.conftest import needs
from tests.contract.frontend import MEMBERS, SHARE, FrontEnd, Refused, Session, Unsupported

PRINCIPALS = [
    "owner",
    "viewer",
    "editor",
    "grant_read",
    "grant_write",
    "grant_delete",
    "stranger",
    "anonymous",
]
T, F = True, False
MATRIX: dict[str, list[bool]] = {
    "list_shared": [T, T, T, T, T, T, F, F],
    "download_shared": [T, T, T, T, T, T, F, F],
    "list_private": [T, T, T, F, F, F, F, F],
    "download_private": [T, T, T, F, F, F, F, F],
    "upload_new": [T, F, T, F, T, T, F, F],
    "overwrite": [T, F, T, F, T, T, F, F],
    "mkdir": [T, F, T, F, T, T, F, F],
    "delete": [T, F, T, F, F, T, F, F],
    "rename": [T, F, T, F, T, T, F, F],
}
PRIVATE = b"private words"


@dataclass
class World:
    front_end: FrontEnd
    owner: Session
    sessions: dict[str, Session]
    scopes: dict[str, str]  # how each principal names the pod or its grant
    pod_id_scope: str
    inexpressible: dict[str, str]  # principals the front end has no grant or role for: why

    def shared(self, who: str, path: str = "") -> tuple[str, str]:
        """(scope, path) of `shared/<path>` as `who` names it."""
        if who.startswith("grant"):
            return self.scopes[who], path
        return self.scopes[who], f"shared/{path}".rstrip("/")

    def private(self, who: str, path: str = "") -> tuple[str, str]:
        scope = self.pod_id_scope if who.startswith("grant") else self.scopes[who]
        return scope, f"private/{path}".rstrip("/")


@pytest.fixture(scope="module")
def world(front_end: FrontEnd) -> World:
    needs(front_end, SHARE)
    needs(front_end, MEMBERS)
    owner = front_end.sign_up("owner")
    owner.create_pod("proj")
    owner.upload("proj", "shared/doc.txt", b"shared words")
    owner.upload("proj", "private/secret.txt", PRIVATE)
    pod_id_scope = front_end.pod_scope(owner, "proj")
    sessions: dict[str, Session] = {"owner": owner}
    scopes = {"owner": "proj"}
    inexpressible: dict[str, str] = {}
    for who, role in (("viewer", "viewer"), ("editor", "editor")):
        sessions[who] = front_end.sign_up(who)
        try:
            scopes[who] = front_end.add_member(owner, "proj", sessions[who], role)
        except Unsupported as why:
            inexpressible[who] = str(why)
    for level in ("read", "write", "delete"):
        who = f"grant_{level}"
        sessions[who] = front_end.sign_up(f"grant-{level}")
        try:
            scopes[who] = front_end.share(owner, "proj", "shared", sessions[who], level)
        except Unsupported as why:
            inexpressible[who] = str(why)
    sessions["stranger"] = front_end.sign_up("stranger")
    sessions["stranger"].create_pod("proj")  # a pod of the same name, its own
    sessions["anonymous"] = front_end.anonymous()
    scopes["stranger"] = scopes["anonymous"] = pod_id_scope
    return World(front_end, owner, sessions, scopes, pod_id_scope, inexpressible)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def victim(world: World) -> str:
    name = unique("victim")
    world.owner.upload("proj", f"shared/{name}", b"victim")
    return name


Op = Callable[[World, str, Session], object]
OPERATIONS: dict[str, Op] = {
    "list_shared": lambda w, who, s: s.listing(*w.shared(who)),
    "download_shared": lambda w, who, s: s.download(*w.shared(who, "doc.txt")),
    "list_private": lambda w, who, s: s.listing(*w.private(who)),
    "download_private": lambda w, who, s: s.download(*w.private(who, "secret.txt")),
    "upload_new": lambda w, who, s: s.upload(*w.shared(who, unique("new")), b"new"),
    "overwrite": lambda w, who, s: s.upload(*w.shared(who, victim(w)), b"overwritten"),
    "mkdir": lambda w, who, s: s.mkdir(*w.shared(who, unique("dir"))),
    "delete": lambda w, who, s: s.delete(*w.shared(who, victim(w))),
    "rename": lambda w, who, s: s.move(
        w.shared(who)[0], w.shared(who, victim(w))[1], w.shared(who, unique("renamed"))[1]
    ),
}
CASES = [
    (op, who, allowed)
    for op, row in MATRIX.items()
    for who, allowed in zip(PRINCIPALS, row, strict=True)
]


def test_the_matrix_covers_every_operation() -> None:
    assert set(MATRIX) == set(OPERATIONS)


@pytest.mark.parametrize(("op", "who", "allowed"), CASES, ids=[f"{o}-{w}" for o, w, _ in CASES])
def test_matrix(world: World, op: str, who: str, allowed: bool) -> None:
    if who in world.inexpressible:
        pytest.skip(f"{world.front_end.name} cannot make a {who}: {world.inexpressible[who]}")
    session = world.sessions[who]
    if allowed:
        OPERATIONS[op](world, who, session)
    else:
        with pytest.raises(Refused):
            OPERATIONS[op](world, who, session)
    assert world.owner.download("proj", "private/secret.txt") == PRIVATE
    assert world.owner.download("proj", "shared/doc.txt") == b"shared words"
