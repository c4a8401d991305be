"""Migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from podstore.core.context import iso
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


def test_nodes_made_before_their_stamps_get_them(database_url: str | None, tmp_path: Path) -> None:
    engine = sa.create_engine(database_url or f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine, "0001")
    times = [(1.7e9 + 0.1234565, 1.6e9), (-1e9 - 0.5, 0.0), (253_402_300_800.0, 1.0)]
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (id, name, password_hash, kek_salt, wrapped_secret, "
                "public_key, profile, created_at) VALUES ('u', 'u', '', :b, :b, :b, '{}', 0)"
            ),
            {"b": b""},
        )
        conn.execute(
            sa.text(
                "INSERT INTO pods (id, owner_id, name, compression, versions_kept, root_id, "
                "created_at) VALUES ('p', 'u', 'p', 'fast', 1, 'n0', 0)"
            )
        )
        for i, (modified, created) in enumerate(times):
            conn.execute(
                sa.text(
                    "INSERT INTO nodes (id, pod_id, name, kind, created_at, modified_at) "
                    "VALUES (:id, 'p', :id, 'file', :c, :m)"
                ),
                {"id": f"n{i}", "c": created, "m": modified},
            )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT modified_stamp, created_stamp FROM nodes ORDER BY id")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("2023-11-14T22:13:20.123456Z", "2020-09-13T12:26:40Z"),
        ("1938-04-24T22:13:19.500000Z", "1970-01-01T00:00:00Z"),
        (None, "1970-01-01T00:00:01Z"),  # after 9999: no stamp
    ]
    assert rows[0][0] == iso(times[0][0]) and rows[1][0] == iso(times[1][0])
