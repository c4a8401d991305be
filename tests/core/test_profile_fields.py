"""Profile fields (core.accounts.update_profile): the name's parts, phones and address are
kept beside display_name; unknown fields and non-strings are refused."""

from __future__ import annotations

import pytest

from podstore.core.context import Actor
from podstore.core.errors import Invalid
from tests.core.conftest import Harness


def test_parts_of_a_name_and_a_contact_are_kept(harness: Harness, actor: Actor) -> None:
    accounts = harness.core.accounts
    changes = {"first_name": "Ada", "surname": "Byron", "phone": "1", "address": "a\nb\nc\nd"}
    harness.run(accounts.update_profile(actor, changes))
    harness.run(accounts.update_profile(actor, {"phone": None, "mobile": "2"}))
    profile = harness.run(accounts.me(actor)).profile
    assert profile == {
        "first_name": "Ada",
        "surname": "Byron",
        "mobile": "2",
        "address": "a\nb\nc\nd",
    }
    with pytest.raises(Invalid):
        harness.run(accounts.update_profile(actor, {"nickname": "x"}))
    with pytest.raises(Invalid):
        harness.run(accounts.update_profile(actor, {"phone": 5}))
