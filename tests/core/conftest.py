"""A real Core on SQLite or PostgreSQL (module-scoped, via `database_url`), driven from sync
tests through one event loop, with helpers to make users, pods and memberships."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from podstore.core.context import Actor
from podstore.core.service import Core
from podstore.meta.schema import pod_members
from podstore.settings import Settings

T = TypeVar("T")
PASSWORD = "correct horse battery staple"


class Harness:
    def __init__(self, data_dir: Path, database_url: str | None) -> None:
        self.loop = asyncio.new_event_loop()
        settings = Settings(
            data_dir=data_dir,
            database_url=database_url,
            argon2_memory_kib=1024,
            argon2_time_cost=1,
        )
        self.core = Core(settings)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def new_actor(self, pod: str | None = "home") -> Actor:
        name = f"u-{uuid.uuid4().hex[:10]}"
        self.run(self.core.accounts.signup(name, PASSWORD))
        login = self.run(self.core.accounts.login(name, PASSWORD))
        actor = self.run(self.core.accounts.authenticate(login.token))
        if pod:
            self.run(self.core.pods.create(actor, pod))
        return actor

    def add_member(self, owner: Actor, pod: str, member: Actor, role: str, alias: str) -> None:
        """Make `member` a member of the owner's pod (the pod key is not needed for kv/docs)."""
        pod_id = self.run(self.core.pods.stat(owner, pod)).id
        self.core.ctx.db.write_sync(
            lambda c: c.execute(
                pod_members.insert().values(
                    pod_id=pod_id,
                    user_id=member.user_id,
                    role=role,
                    alias=alias,
                    wrapped_key=b"-",
                )
            )
        )

    def close(self) -> None:
        self.run(self.core.close())
        self.loop.close()


@pytest.fixture(scope="module")
def harness(
    database_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harness]:
    h = Harness(tmp_path_factory.mktemp("core"), database_url)
    try:
        yield h
    finally:
        h.close()


@pytest.fixture
def actor(harness: Harness) -> Actor:
    """A fresh user who owns a pod named 'home'."""
    return harness.new_actor()
