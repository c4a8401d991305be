"""Alembic, driven from code: `upgrade(engine)` brings any database to the newest schema.

Nodes that start together on one PostgreSQL database migrate one at a time, under an
advisory lock: the first creates the schema, the others then find it current.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from podstore.meta.locks import advisory_lock

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    with advisory_lock(engine, "migrate", wait=True):
        command.upgrade(alembic_config(engine), revision)
