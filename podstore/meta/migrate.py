"""Alembic, driven from code: `upgrade(engine)` brings any database to the newest schema.

Nodes that start together on one PostgreSQL database migrate one at a time, under an
advisory lock: the first creates the schema, the others then find it current.

A database already at `HEADS` is found so with one query, without importing Alembic (its
modules and Mako's stay ~10 MB in a server's memory for good).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from podstore.meta.locks import advisory_lock

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# what Alembic's version table holds once every migration ran: the newest revision of each
# branch, but those another depends on (tests/meta/test_migrations.py: name a new one here)
HEADS = frozenset(
    {
        "0003up",
        "0005so",
        "0006antos",
        "0006bitdust2",
        "0006fileago",
        "0006hasura",
        "0006previews",
        "0006webdav",
        "0008fairos",
        "0009stamps",
    }
)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def applied(engine: Engine) -> frozenset[str]:
    """The revisions the database is at (none before the first migration)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            return frozenset(str(row[0]) for row in rows)
    except DBAPIError:  # no version table yet
        return frozenset()


def is_current(url: str) -> bool:
    """Whether the database at `url` needs no migration."""
    engine = sa.create_engine(url)
    try:
        return applied(engine) == HEADS
    finally:
        engine.dispose()


def upgrade(engine: Engine, revision: str = "heads") -> None:
    if revision == "heads" and applied(engine) == HEADS:
        return
    from alembic import command

    with advisory_lock(engine, "migrate", wait=True):
        command.upgrade(alembic_config(engine), revision)
