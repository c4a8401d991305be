"""`podstore admin NAME` grants the administrator role on the server's own database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa

from podstore.core.service import Core
from podstore.meta.schema import users
from podstore.settings import Settings
from tests.cli.test_maintenance import podstore
from tests.fixtures.server import PASSWORD, server_env


def admins(settings: Settings) -> set[str]:
    core = Core(settings)
    try:
        query = sa.select(users.c.name).where(users.c.is_admin)
        return set(core.ctx.db.read_sync(lambda c: c.execute(query).scalars().all()))
    finally:
        asyncio.run(core.close())


def test_the_admin_command_grants_the_role(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data, argon2_memory_kib=1024, argon2_time_cost=1)

    async def sign_up() -> None:
        core = Core(settings)
        await core.accounts.signup("first", PASSWORD)
        await core.accounts.signup("second", PASSWORD)
        await core.close()

    asyncio.run(sign_up())
    assert admins(settings) == {"first"}  # the first account is one
    env = server_env(data, None)
    granted = podstore(env, "admin", "second")
    assert granted.returncode == 0, granted.stderr
    assert admins(settings) == {"first", "second"}
    missing = podstore(env, "admin", "nobody")
    assert missing.returncode == 1 and "nobody" in missing.stderr + missing.stdout
