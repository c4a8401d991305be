"""Per-session state: each session sees its own values, and they end with the session."""

from __future__ import annotations

import pytest

from podstore.core.context import Actor
from podstore.core.errors import Unauthenticated
from tests.core.conftest import PASSWORD, Harness


def test_values_belong_to_one_session_and_end_with_it(harness: Harness) -> None:
    first = harness.new_actor(pod=None)
    state = harness.core.session_state
    harness.run(state.put(first, "open", {"pods": ["a"]}))
    harness.run(state.put(first, "open", {"pods": ["a", "b"]}))
    assert harness.run(state.get(first, "open")) == {"pods": ["a", "b"]}
    login = harness.run(harness.core.accounts.login(first.name, PASSWORD))
    second = harness.run(harness.core.accounts.authenticate(login.token))
    assert harness.run(state.get(second, "open")) is None
    harness.run(state.delete(first, "open"))
    assert harness.run(state.get(first, "open")) is None
    harness.run(state.put(second, "it", [1]))
    harness.run(harness.core.accounts.logout(second))
    assert harness.run(state.get(second, "it")) is None


def test_an_actor_without_a_session_has_no_state(harness: Harness) -> None:
    with pytest.raises(Unauthenticated):
        harness.run(harness.core.session_state.put(Actor("u", "n", None), "k", 1))


def test_addresses_are_kept_and_found(harness: Harness) -> None:
    actor = harness.new_actor(pod=None)
    address = harness.run(harness.core.accounts.address(actor.user_id))
    assert address is not None and address.startswith("0x") and len(address) == 42
    assert harness.run(harness.core.accounts.name_at(address.lower())) == actor.name
    assert harness.run(harness.core.accounts.name_at("0x" + "0" * 40)) is None
    assert harness.run(harness.core.accounts.name_at("0xnot-hex")) is None
    assert harness.run(harness.core.accounts.address_of_name(actor.name)) == address


def test_present_and_logged_in(harness: Harness) -> None:
    actor = harness.new_actor(pod=None)
    accounts = harness.core.accounts
    assert harness.run(accounts.present(actor.name))
    assert not harness.run(accounts.present(actor.name + "-nobody"))
    assert harness.run(accounts.logged_in(actor.name))
    harness.run(accounts.logout(actor))
    assert not harness.run(accounts.logged_in(actor.name))
