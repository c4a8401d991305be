"""Migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from podstore.meta.migrate import HEADS, applied, upgrade
from podstore.meta.tables import metadata


def test_upgrade_matches_the_declared_schema(database_url: str | None, tmp_path: Path) -> None:
    engine = sa.create_engine(database_url or f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    upgrade(engine)  # a second run is a no-op
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == [], diff


def test_a_current_database_is_found_so_without_loading_alembic(
    database_url: str | None, tmp_path: Path
) -> None:
    url = database_url or f"sqlite:///{tmp_path / 'm.db'}"
    engine = sa.create_engine(url)
    upgrade(engine)
    assert applied(engine) == HEADS  # a new migration must be named in HEADS
    engine.dispose()
    probe = (
        "import sys, sqlalchemy as sa; from podstore.meta.migrate import upgrade; "
        f"upgrade(sa.create_engine({url!r})); print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
