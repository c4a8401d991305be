"""Opening public links is throttled like logging in: wrong passwords per link and per
address, tokens that name no link per address; other addresses and links are unaffected."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from podstore.core.context import Actor
from podstore.core.errors import NotFound, TooManyRequests, Unauthenticated
from tests.core.conftest import Harness


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _link(harness: Harness, actor: Actor, password: str | None = None) -> str:
    core = harness.core
    harness.run(core.files.upload(actor, "home", "shared.txt", _once(b"hello")))
    made = harness.run(core.links.create(actor, "home", "shared.txt", password=password))
    return made.token


def test_wrong_link_passwords_are_delayed(harness: Harness, actor: Actor) -> None:
    token = _link(harness, actor, password="open sesame please")
    free = harness.core.settings.login_failures_before_delay
    for _ in range(free):
        with pytest.raises(Unauthenticated):
            harness.run(harness.core.links.open(token, "guess", "203.0.113.1"))
    with pytest.raises(TooManyRequests):  # even the right one must wait now
        harness.run(harness.core.links.open(token, "open sesame please", "203.0.113.2"))


def test_guessing_tokens_from_one_address_is_delayed(harness: Harness, actor: Actor) -> None:
    token = _link(harness, actor)
    link_id = token.split(".")[0]
    guesses = [f"{link_id}.{'A' * 32}", "x" * 16 + "." + "B" * 32, "nonsense"]
    free = harness.core.settings.login_failures_per_address
    for attempt in range(free):
        with pytest.raises(NotFound):
            harness.run(harness.core.links.open(guesses[attempt % 3], None, "198.51.100.9"))
    with pytest.raises(TooManyRequests):
        harness.run(harness.core.links.open(token, None, "198.51.100.9"))
    assert harness.run(harness.core.links.open(token, None, "198.51.100.10")).user_id.startswith(
        "link:"
    )
