"""`Database` on PostgreSQL when the server drops the connection in the middle of a write."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.meta.db import Database, after_commit
from podstore.meta.errors import DatabaseUnavailable
from tests.fixtures.postgres import PostgresCluster


def test_a_write_whose_connection_is_dropped_is_unavailable_and_runs_no_hook(
    postgres: PostgresCluster,
) -> None:
    """As when PostgreSQL shuts down mid-transaction: a 503 for the client, not a 500 from
    SQLAlchemy refusing to look at the dropped connection."""
    db = Database(postgres.new_database())
    ran: list[str] = []

    def dropped(conn: Connection) -> None:
        after_commit(conn, lambda: ran.append("hook"))
        conn.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))

    try:
        with pytest.raises(DatabaseUnavailable):
            db.write_sync(dropped)
        assert ran == []
        # the pool recovers: the next write commits and runs its own hook only
        db.write_sync(lambda conn: after_commit(conn, lambda: ran.append("next")))
        assert ran == ["next"]
    finally:
        db.close()
