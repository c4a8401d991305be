"""node stamps: each node's created and modified times also as the ISO 8601 text listings send

The database writes them (triggers), from `created_at` and `modified_at`, whoever writes a
node: exactly what `podstore.core.context.iso` writes (UTC, microseconds rounded half to
even and left out when zero, a Z), or NULL for a time it cannot write (before year 1, after
9999, not a number), for which a listing falls back to Python's `iso`.

Revision ID: 0009stamps
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0009stamps"
down_revision = "0001"
branch_labels = None
depends_on = None

FIRST, LAST = -62_135_596_800, 253_402_300_799  # 0001-01-01T00:00:00Z, 9999-12-31T23:59:59Z


def _sqlite_stamp(time: str) -> str:
    """SQLite: the stamp of the time `time` (an expression), in one scalar subquery."""
    # Python's int(): toward zero; round(): half to even, on the float's exact value
    return f"""(SELECT CASE WHEN t >= {FIRST - 1} AND t < {LAST + 1}
                   AND s BETWEEN {FIRST} AND {LAST}
              THEN strftime('%Y-%m-%dT%H:%M:%S', s, 'unixepoch')
                   || CASE WHEN micro = 0 THEN 'Z' ELSE printf('.%06dZ', micro) END END
        FROM (SELECT t, s0 + (CASE WHEN m >= 1000000 THEN 1 WHEN m < 0 THEN -1 ELSE 0 END) AS s,
                     m - (CASE WHEN m >= 1000000 THEN 1000000 WHEN m < 0 THEN -1000000
                          ELSE 0 END) AS micro
              FROM (SELECT t, s0, CASE WHEN f < 0 THEN -r ELSE r END AS m
                    FROM (SELECT t, s0, f, CASE WHEN abs(f) - i > 0.5 THEN i + 1
                                                WHEN abs(f) - i < 0.5 THEN i
                                                ELSE i + (i % 2) END AS r
                          FROM (SELECT t, s0, f, CAST(abs(f) AS INTEGER) AS i
                                FROM (SELECT t, s0, (t - s0) * 1000000.0 AS f
                                      FROM (SELECT {time} AS t,
                                                   CAST({time} AS INTEGER) AS s0)))))))"""


POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION podstore_iso(t double precision) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    s bigint; f double precision; i bigint; m bigint;
BEGIN
    IF t IS NULL OR t = 'NaN'::float8 OR t < {FIRST - 1} OR t >= {LAST + 1} THEN
        RETURN NULL;
    END IF;
    s := trunc(t)::bigint;
    f := (t - s) * 1000000.0;
    i := trunc(abs(f))::bigint;
    m := CASE WHEN abs(f) - i > 0.5 THEN i + 1 WHEN abs(f) - i < 0.5 THEN i
              ELSE i + mod(i, 2) END;
    IF f < 0 THEN m := -m; END IF;
    IF m >= 1000000 THEN s := s + 1; m := m - 1000000;
    ELSIF m < 0 THEN s := s - 1; m := m + 1000000; END IF;
    IF s < {FIRST} OR s > {LAST} THEN RETURN NULL; END IF;
    RETURN to_char(to_timestamp(s) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN m = 0 THEN 'Z' ELSE '.' || lpad(m::text, 6, '0') || 'Z' END;
END $$;

CREATE OR REPLACE FUNCTION podstore_node_stamps() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.created_stamp := podstore_iso(NEW.created_at);
    NEW.modified_stamp := podstore_iso(NEW.modified_at);
    RETURN NEW;
END $$;

CREATE TRIGGER nodes_stamps BEFORE INSERT OR UPDATE OF created_at, modified_at ON nodes
FOR EACH ROW EXECUTE FUNCTION podstore_node_stamps();
"""


def _sqlite_triggers() -> list[str]:
    stamps = (
        f"UPDATE nodes SET created_stamp = {_sqlite_stamp('NEW.created_at')}, "
        f"modified_stamp = {_sqlite_stamp('NEW.modified_at')} WHERE rowid = NEW.rowid;"
    )
    return [
        f"CREATE TRIGGER nodes_stamps_insert AFTER INSERT ON nodes BEGIN {stamps} END",
        "CREATE TRIGGER nodes_stamps_update AFTER UPDATE OF created_at, modified_at ON nodes "
        f"BEGIN {stamps} END",
    ]


def upgrade() -> None:
    op.add_column("nodes", sa.Column("created_stamp", sa.String(32), nullable=True))
    op.add_column("nodes", sa.Column("modified_stamp", sa.String(32), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(
            "UPDATE nodes SET created_stamp = podstore_iso(created_at), "
            "modified_stamp = podstore_iso(modified_at)"
        )
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)
        op.execute(
            f"UPDATE nodes SET created_stamp = {_sqlite_stamp('created_at')}, "
            f"modified_stamp = {_sqlite_stamp('modified_at')}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS nodes_stamps ON nodes")
        op.execute("DROP FUNCTION IF EXISTS podstore_node_stamps()")
        op.execute("DROP FUNCTION IF EXISTS podstore_iso(double precision)")
    else:
        op.execute("DROP TRIGGER IF EXISTS nodes_stamps_insert")
        op.execute("DROP TRIGGER IF EXISTS nodes_stamps_update")
    op.drop_column("nodes", "modified_stamp")
    op.drop_column("nodes", "created_stamp")
