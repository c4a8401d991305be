"""Accounts: the administrator role, e-mail logins, session lifetimes, and the keys a
session issues (download keys that only read, upload keys spent on first use)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

import podstore.core.accounts.accounts as accounts_module
from podstore.core.errors import (
    Conflict,
    Expired,
    Invalid,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from tests.core.conftest import PASSWORD, Harness


async def pieces(data: bytes) -> AsyncIterator[bytes]:
    yield data


def test_the_first_account_is_the_administrator(harness: Harness) -> None:
    # this module's core is fresh: its first signup is the first account
    first, second = harness.new_actor(pod=None), harness.new_actor(pod=None)
    accounts = harness.core.accounts
    assert harness.run(accounts.me(first)).is_admin
    assert not harness.run(accounts.me(second)).is_admin
    harness.run(accounts.set_admin(second.name, True))
    assert harness.run(accounts.me(second)).is_admin
    harness.run(accounts.set_admin(second.name, False))
    assert not harness.run(accounts.me(second)).is_admin
    with pytest.raises(NotFound):
        harness.run(accounts.set_admin("nobody-here", True))


def test_an_account_logs_in_by_its_email_address(harness: Harness) -> None:
    actor = harness.new_actor(pod=None)
    accounts = harness.core.accounts
    address = f"{uuid.uuid4().hex[:8]}@Example.org"
    assert harness.run(accounts.set_email(actor, address)).email == address.lower()
    login = harness.run(accounts.login(address.upper(), PASSWORD))
    assert login.user_id == actor.user_id
    with pytest.raises(Unauthenticated):
        harness.run(accounts.login(address, "wrong password!!"))
    other = harness.new_actor(pod=None)
    with pytest.raises(Conflict):
        harness.run(accounts.set_email(other, address))
    with pytest.raises(Invalid):
        harness.run(accounts.set_email(other, "not an address"))
    harness.run(accounts.set_email(actor, None))
    with pytest.raises(Unauthenticated):
        harness.run(accounts.login(address, PASSWORD))


def test_a_session_lives_as_long_as_asked(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = harness.new_actor(pod=None)
    login = harness.run(harness.core.accounts.login(actor.name, PASSWORD, ttl=60))
    assert login.expires_at == pytest.approx(accounts_module.now() + 60, abs=5)
    later = accounts_module.now() + 61
    monkeypatch.setattr(accounts_module, "now", lambda: later)
    with pytest.raises(Unauthenticated):
        harness.run(harness.core.accounts.authenticate(login.token))


def test_a_download_key_reads_and_does_nothing_else(harness: Harness) -> None:
    actor = harness.new_actor()
    core = harness.core
    harness.run(core.files.upload(actor, "home", "a.txt", pieces(b"words")))
    key = harness.run(core.accounts.issue_key(actor, "download", 3600))
    with pytest.raises(Unauthenticated):
        harness.run(core.accounts.authenticate(key))  # not a bearer token
    reader = harness.run(core.accounts.authenticate(key, "download"))
    assert reader.user_id == actor.user_id
    opened = harness.run(core.files.open(reader, "home", "a.txt"))
    assert opened.size == 5
    with pytest.raises(PermissionDenied):
        harness.run(core.files.upload(reader, "home", "b.txt", pieces(b"no")))
    with pytest.raises(PermissionDenied):
        harness.run(core.tree.delete(reader, "home", "a.txt"))
    with pytest.raises(Unauthenticated):
        harness.run(core.accounts.issue_key(reader, "download", 3600))
    with pytest.raises(Invalid):
        harness.run(core.accounts.issue_key(actor, "anything", 3600))
    # a new password ends the account's other sessions, and its keys with them
    harness.run(core.accounts.change_password(actor, PASSWORD, PASSWORD + "!"))
    with pytest.raises(Unauthenticated):
        harness.run(core.accounts.authenticate(key, "download"))


def test_an_upload_key_is_spent_on_first_use(harness: Harness) -> None:
    actor = harness.new_actor()
    key = harness.run(harness.core.accounts.issue_key(actor, "upload:node-1", 5))
    with pytest.raises(Unauthenticated):
        harness.run(harness.core.accounts.authenticate(key))
    holder, node_id = harness.run(harness.core.accounts.redeem_upload_key(key))
    assert (holder.user_id, node_id) == (actor.user_id, "node-1")
    with pytest.raises(Unauthenticated):
        harness.run(harness.core.accounts.redeem_upload_key(key))
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    with pytest.raises(Unauthenticated):
        harness.run(harness.core.accounts.redeem_upload_key(forged))


def test_an_upload_key_expires(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    actor = harness.new_actor()
    key = harness.run(harness.core.accounts.issue_key(actor, "upload:node-2", 5))
    later = accounts_module.now() + 6
    monkeypatch.setattr(accounts_module, "now", lambda: later)
    with pytest.raises(Expired):
        harness.run(harness.core.accounts.redeem_upload_key(key))
