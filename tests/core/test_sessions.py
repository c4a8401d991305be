"""An account's open sessions: listed, and one ended from another."""

from __future__ import annotations

import pytest

from podstore.core.errors import NotFound, Unauthenticated
from tests.core.conftest import PASSWORD, Harness


def test_list_and_end_another_session(harness: Harness) -> None:
    core = harness.core
    actor = harness.new_actor(pod=None)
    phone = harness.run(core.accounts.login(actor.name, PASSWORD, "10.0.0.7"))
    listed = harness.run(core.accounts.open_sessions(actor))
    assert len(listed) == 2
    assert [s.current for s in listed].count(True) == 1
    other = next(s for s in listed if not s.current)
    assert other.client == "10.0.0.7"
    harness.run(core.accounts.end_session(actor, other.id))
    with pytest.raises(Unauthenticated):
        harness.run(core.accounts.authenticate(phone.token))
    assert [s.current for s in harness.run(core.accounts.open_sessions(actor))] == [True]
    stranger = harness.new_actor(pod=None)
    with pytest.raises(NotFound):
        harness.run(core.accounts.end_session(stranger, actor.session_id or ""))
