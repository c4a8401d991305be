"""One user's day, through every front end: sign in, create, upload, list, download, move,
share with a second user, delete; and one file, which even a protocol of files by id has."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.contract.conftest import needs
from tests.contract.frontend import SHARE, TREE, FrontEnd, Refused, Unsupported


def test_one_file_and_who_cannot_touch_it(front_end: FrontEnd) -> None:
    alice, stranger = front_end.sign_up("alice"), front_end.sign_up("stranger")
    alice.create_pod("docs")
    name = f"report-{uuid.uuid4().hex[:8]}.bin"
    big = os.urandom(3 * 1024 * 1024 + 17)
    alice.upload("docs", name, big)
    assert alice.download("docs", name) == big
    alice.upload("docs", name, b"second version")
    assert alice.download("docs", name) == b"second version"
    theirs = front_end.pod_scope(alice, "docs")
    for other in (stranger, front_end.anonymous()):
        with pytest.raises(Refused):
            other.download(theirs, name)
        with pytest.raises(Refused):
            other.upload(theirs, name, b"overwritten")
        with pytest.raises(Refused):
            other.delete(theirs, name)
    assert alice.download("docs", name) == b"second version"
    alice.delete("docs", name)
    with pytest.raises(Refused):
        alice.download("docs", name)


def test_a_users_day(front_end: FrontEnd) -> None:
    needs(front_end, TREE)
    alice = front_end.sign_up("alice")
    alice.create_pod("docs")
    alice.mkdir("docs", "inbox")
    alice.mkdir("docs", "archive")
    big = os.urandom(3 * 1024 * 1024 + 17)  # chunked, not inline
    alice.upload("docs", "inbox/photo.raw", big)
    alice.upload("docs", "inbox/note.txt", "grüße\n".encode())
    assert alice.listing("docs", "") == {"inbox": "dir", "archive": "dir"}
    assert alice.listing("docs", "inbox") == {"photo.raw": "file", "note.txt": "file"}
    assert alice.download("docs", "inbox/photo.raw") == big

    alice.move("docs", "inbox/photo.raw", "archive/2026.raw")
    assert alice.listing("docs", "inbox") == {"note.txt": "file"}
    assert alice.download("docs", "archive/2026.raw") == big
    with pytest.raises(Refused):
        alice.download("docs", "inbox/photo.raw")

    alice.upload("docs", "inbox/note.txt", b"second version")
    assert alice.download("docs", "inbox/note.txt") == b"second version"
    alice.delete("docs", "inbox/note.txt")
    assert alice.listing("docs", "inbox") == {}
    with pytest.raises(Refused):
        alice.download("docs", "inbox/note.txt")


def test_sharing_a_folder_with_another_user(front_end: FrontEnd) -> None:
    needs(front_end, SHARE)
    alice, bob = front_end.sign_up("alice"), front_end.sign_up("bob")
    alice.create_pod("docs")
    alice.upload("docs", "team/plan.txt", b"the plan")
    alice.upload("docs", "own/diary.txt", b"mine")
    try:
        scope = front_end.share(alice, "docs", "team", bob, "read")
    except Unsupported as why:
        pytest.skip(f"{front_end.name} has no read-only share: {why}")
    assert bob.listing(scope, "") == {"plan.txt": "file"}
    assert bob.download(scope, "plan.txt") == b"the plan"
    with pytest.raises(Refused):
        bob.upload(scope, "plan.txt", b"bob was here")
    with pytest.raises(Refused):
        bob.download(scope, "../own/diary.txt")
    assert alice.download("docs", "team/plan.txt") == b"the plan"
    alice.delete("docs", "team/plan.txt")
    with pytest.raises(Refused):
        bob.download(scope, "plan.txt")
