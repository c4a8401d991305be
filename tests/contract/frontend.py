"""What the contract suite needs from a front end: a small adapter per protocol.

An adapter signs users up and acts as them through its protocol only. Each operation
returns normally when the front end did it, raises `Refused` when it said no (for any
reason a client could see: not found, forbidden, unauthenticated, not allowed), and fails
the test on anything else (a 5xx, a hang). A front end that lacks a feature leaves it out of
`capabilities`; the suite then skips only what needs it, and says so. A front end with grants
or roles of its own kind raises `Unsupported` for a level or role it cannot express.
"""

from __future__ import annotations

from typing import Protocol

SHARE = "share"  # grants on a folder to another user
MEMBERS = "members"  # users added to a pod with a role
TREE = "tree"  # folders, listings and moves (a protocol of files by id has none)
CAPABILITIES = {SHARE, MEMBERS, TREE}


class Refused(Exception):
    """The front end declined the operation (its status or message in `reason`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unsupported(Exception):
    """The front end cannot express this grant or role at all (not a refusal): the cases that
    need it are skipped, with `reason`."""


class Session(Protocol):
    """One signed-in user (or an anonymous client) talking through one front end.

    `scope` names what an operation acts in: the user's own pod by name, or what
    `FrontEnd.shared_scope`/`member_scope` handed out."""

    name: str

    def create_pod(self, pod: str) -> None: ...
    def mkdir(self, scope: str, path: str) -> None: ...
    def upload(self, scope: str, path: str, data: bytes) -> None: ...
    def download(self, scope: str, path: str) -> bytes: ...
    def listing(self, scope: str, path: str) -> dict[str, str]:
        """name -> "file" or "dir" of one folder."""
        ...

    def move(self, scope: str, source: str, target: str) -> None: ...
    def delete(self, scope: str, path: str) -> None: ...


class FrontEnd(Protocol):
    name: str
    capabilities: set[str]

    def sign_up(self, prefix: str) -> Session: ...
    def anonymous(self) -> Session: ...
    def share(self, owner: Session, pod: str, path: str, grantee: Session, level: str) -> str:
        """Grant `grantee` `level` (read/write/delete) on `path`; the scope they use."""
        ...

    def add_member(self, owner: Session, pod: str, member: Session, role: str) -> str:
        """Make `member` a `role` (viewer/editor) of the pod; the scope they use."""
        ...

    def pod_scope(self, owner: Session, pod: str) -> str:
        """How someone else would name the owner's pod if they guessed it."""
        ...
