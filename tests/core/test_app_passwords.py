"""App passwords: shown once, stored hashed, good for Basic sign-in only, revoked at once."""

from __future__ import annotations

import pytest

from podstore.core.context import Actor
from podstore.core.errors import NotFound, TooManyRequests, Unauthenticated
from tests.core.conftest import PASSWORD, Harness


def test_an_app_password_signs_in_as_its_user_until_revoked(harness: Harness, actor: Actor) -> None:
    core = harness.core
    made = harness.run(core.app_passwords.create(actor, "laptop"))
    assert made.password.startswith("ps-") and made.last_used_at is None
    basic = harness.run(core.app_passwords.basic(actor.name, made.password, "10.0.0.1"))
    assert basic.user_id == actor.user_id and basic.private_key is not None
    # the identity key it unwraps opens the user's pods
    assert harness.run(core.tree.list(basic, "home", "/")).entries == []
    listed = harness.run(core.app_passwords.list(actor))
    assert [(p.id, p.label) for p in listed] == [(made.id, "laptop")]
    assert listed[0].last_used_at is not None
    # never a way to log in or to change the account
    with pytest.raises(Unauthenticated):
        harness.run(core.accounts.login(actor.name, made.password))
    with pytest.raises(Unauthenticated):
        harness.run(core.accounts.change_password(actor, made.password, "a new long password"))
    # another user's name with it is refused
    other = harness.new_actor(pod=None)
    with pytest.raises(Unauthenticated):
        harness.run(core.app_passwords.basic(other.name, made.password, None))
    harness.run(core.app_passwords.revoke(actor, made.id))
    with pytest.raises(Unauthenticated):
        harness.run(core.app_passwords.basic(actor.name, made.password, None))
    with pytest.raises(NotFound):
        harness.run(core.app_passwords.revoke(actor, made.id))


def test_basic_takes_the_account_password_and_throttles_failures(harness: Harness) -> None:
    core = harness.core
    actor = harness.new_actor(pod=None)
    assert harness.run(core.app_passwords.basic(actor.name, PASSWORD, None)).name == actor.name
    free = core.settings.login_failures_before_delay
    for _ in range(free):
        with pytest.raises(Unauthenticated):
            harness.run(core.app_passwords.basic(actor.name, "wrong password!", None))
    with pytest.raises(TooManyRequests):
        harness.run(core.app_passwords.basic(actor.name, "wrong password!", None))
