"""Key-value tables in pods: tables of string, number or bytes keys with byte values.

Every operation asks `authorize` first, inside the same database function: viewers read,
editors write. Range scans are `start` inclusive, `end` exclusive, in key order (numeric for
number tables), with an opaque cursor to continue; FairOS seek/next is a scan with a cursor.
Imports are one transaction: a bad row rejects the whole file, unless `mode="rows"` asks to
load the good rows and report the bad ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.context import Actor, CoreContext
from podstore.core.errors import Invalid, NotFound, PayloadTooLarge
from podstore.core.kv import transfer as kv_io
from podstore.core.kv.keys import (
    check_index_type,
    decode_cursor,
    encode_bound,
    encode_cursor,
    encode_key,
)
from podstore.core.names import validate_name
from podstore.core.pods.containers import ContainerKind, pod_data_access
from podstore.core.records import ImportReport, KvEntry, KvPage, KvTableInfo, LineError
from podstore.meta.errors import UniqueViolation
from podstore.meta.kv_schema import kv_entries, kv_tables
from podstore.meta.prepared import Prepared, upsert_of

MAX_VALUE_BYTES = 16 * 1024 * 1024
MAX_IMPORT_BYTES = 1024 * 1024 * 1024
MAX_SCAN = 10_000
MAX_BATCH = 100_000
WRITE_CHUNK = 5_000
IMPORT_MODES = ("atomic", "rows")
ANALYZE_AFTER_ROWS = 1_000  # a bulk load this large refreshes the planner's statistics


TABLES = ContainerKind("kv table", kv_tables, kv_entries, "table_id")
_ENTRY = Prepared(
    sa.select(kv_entries.c.key, kv_entries.c.value).where(
        kv_entries.c.table_id == sa.bindparam("table_id"),
        kv_entries.c.key_sort == sa.bindparam("key_sort"),
    )
)


_UPSERT = Prepared(
    upsert_of(
        kv_entries, ["table_id", "key_sort"], lambda new: {"key": new.key, "value": new.value}
    )
)


def _table(conn: Connection, pod_id: str, name: str) -> Any:
    return TABLES.find(conn, pod_id, name)


def _info(row: Any, count: int) -> KvTableInfo:
    return KvTableInfo(row.name, row.index_type, count, row.columns, row.created_at)


def _check_value(value: bytes) -> bytes:
    if len(value) > MAX_VALUE_BYTES:
        raise PayloadTooLarge(f"a value may be at most {MAX_VALUE_BYTES} bytes")
    return value


def upsert_entries(
    conn: Connection, table_id: str, rows: Iterable[tuple[bytes, str, bytes]]
) -> int:
    """Insert or replace (key_sort, key, value) rows; the last of equal keys wins."""
    unique: dict[bytes, tuple[str, bytes]] = {}
    for key_sort, key, value in rows:
        unique[key_sort] = (key, value)
    if len(unique) == 1:
        ((key_sort, (key, value)),) = unique.items()
        _UPSERT.run(conn, {"table_id": table_id, "key_sort": key_sort, "key": key, "value": value})
        return 1
    stmt = _UPSERT.statement(conn.dialect.name)
    items = [
        {"table_id": table_id, "key_sort": ks, "key": k, "value": v}
        for ks, (k, v) in unique.items()
    ]
    for start in range(0, len(items), WRITE_CHUNK):
        conn.execute(stmt, items[start : start + WRITE_CHUNK])
    return len(items)


def scan_rows(
    conn: Connection,
    table_id: str,
    low: bytes | None,
    high: bytes | None,
    after: bytes | None,
    limit: int,
) -> list[Any]:
    query = sa.select(kv_entries.c.key_sort, kv_entries.c.key, kv_entries.c.value).where(
        kv_entries.c.table_id == table_id
    )
    if low is not None:
        query = query.where(kv_entries.c.key_sort >= low)
    if after is not None:
        query = query.where(kv_entries.c.key_sort > after)
    if high is not None:
        query = query.where(kv_entries.c.key_sort < high)
    return list(conn.execute(query.order_by(kv_entries.c.key_sort).limit(limit)).all())


class KvTables:
    def __init__(self, ctx: CoreContext) -> None:
        self.ctx = ctx

    # -- tables ------------------------------------------------------------------------------

    async def tables(self, actor: Actor, pod: str) -> list[KvTableInfo]:
        def query(conn: Connection) -> list[KvTableInfo]:
            access = pod_data_access(conn, actor, pod, write=False)
            return [_info(row, int(row.n)) for row in TABLES.list(conn, access.pod_id)]

        return await self.ctx.db.read(query)

    async def create(self, actor: Actor, pod: str, name: str, index_type: str) -> KvTableInfo:
        name = validate_name(name)
        kind = check_index_type(index_type)

        def create(conn: Connection) -> KvTableInfo:
            access = pod_data_access(conn, actor, pod, write=True)
            values = TABLES.create(conn, access.pod_id, name, index_type=kind, columns=None)
            return _info(SimpleNamespace(**values), 0)

        try:
            return await self.ctx.db.write(create)
        except UniqueViolation:
            raise TABLES.conflict(name) from None

    async def stat(self, actor: Actor, pod: str, table: str) -> KvTableInfo:
        def query(conn: Connection) -> KvTableInfo:
            access = pod_data_access(conn, actor, pod, write=False)
            row = _table(conn, access.pod_id, table)
            return _info(row, TABLES.count(conn, row.id))

        return await self.ctx.db.read(query)

    async def delete_table(self, actor: Actor, pod: str, table: str) -> None:
        def delete(conn: Connection) -> None:
            access = pod_data_access(conn, actor, pod, write=True)
            TABLES.delete(conn, access.pod_id, table)

        await self.ctx.db.write(delete)

    async def count(self, actor: Actor, pod: str, table: str) -> int:
        return (await self.stat(actor, pod, table)).count

    # -- entries -----------------------------------------------------------------------------

    async def put(self, actor: Actor, pod: str, table: str, key: str, value: bytes) -> bool:
        """Store a value; True if the key is new."""
        _check_value(value)

        def put(conn: Connection) -> bool:
            access = pod_data_access(conn, actor, pod, write=True)
            row = _table(conn, access.pod_id, table)
            key_sort, text = encode_key(row.index_type, key)
            exists = _ENTRY.first(conn, {"table_id": row.id, "key_sort": key_sort})
            upsert_entries(conn, row.id, [(key_sort, text, value)])
            return exists is None

        return await self.ctx.db.write(put)

    async def put_many(
        self, actor: Actor, pod: str, table: str, items: list[tuple[str, bytes]]
    ) -> int:
        if len(items) > MAX_BATCH:
            raise PayloadTooLarge(f"a batch has at most {MAX_BATCH} entries")
        for _, value in items:
            _check_value(value)

        def put(conn: Connection) -> int:
            access = pod_data_access(conn, actor, pod, write=True)
            row = _table(conn, access.pod_id, table)
            rows = [(*encode_key(row.index_type, key), value) for key, value in items]
            return upsert_entries(conn, row.id, rows)

        return await self.ctx.db.write(put)

    def _lookup(self, actor: Actor, pod: str, table: str, key: str, write: bool) -> Any:
        def lookup(conn: Connection) -> tuple[Any, bytes, Any]:
            access = pod_data_access(conn, actor, pod, write=write)
            row = _table(conn, access.pod_id, table)
            key_sort, _ = encode_key(row.index_type, key)
            entry = _ENTRY.first(conn, {"table_id": row.id, "key_sort": key_sort})
            return row, key_sort, entry

        return lookup

    async def get(self, actor: Actor, pod: str, table: str, key: str) -> bytes:
        _, _, entry = await self.ctx.db.read_now(self._lookup(actor, pod, table, key, False))
        if entry is None:
            raise NotFound(f"no key {key!r} in {table!r}")
        return bytes(entry.value)

    async def present(self, actor: Actor, pod: str, table: str, key: str) -> bool:
        _, _, entry = await self.ctx.db.read_now(self._lookup(actor, pod, table, key, False))
        return entry is not None

    async def delete(self, actor: Actor, pod: str, table: str, key: str) -> None:
        lookup = self._lookup(actor, pod, table, key, True)

        def delete(conn: Connection) -> None:
            row, key_sort, entry = lookup(conn)
            if entry is None:
                raise NotFound(f"no key {key!r} in {table!r}")
            conn.execute(
                kv_entries.delete().where(
                    kv_entries.c.table_id == row.id, kv_entries.c.key_sort == key_sort
                )
            )

        await self.ctx.db.write(delete)

    async def scan(
        self,
        actor: Actor,
        pod: str,
        table: str,
        start: str | None = None,
        end: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> KvPage:
        """Entries with start <= key < end in key order, a page at a time."""
        if not 1 <= limit <= MAX_SCAN:
            raise Invalid(f"limit is from 1 to {MAX_SCAN}")
        after = decode_cursor(cursor) if cursor else None

        def query(conn: Connection) -> KvPage:
            access = pod_data_access(conn, actor, pod, write=False)
            row = _table(conn, access.pod_id, table)
            low, high = encode_bound(row.index_type, start), encode_bound(row.index_type, end)
            rows = scan_rows(conn, row.id, low, high, after, limit + 1)
            more = len(rows) > limit
            rows = rows[:limit]
            return KvPage(
                [KvEntry(r.key, bytes(r.value)) for r in rows],
                encode_cursor(bytes(rows[-1].key_sort)) if more else None,
            )

        return await self.ctx.db.read(query)

    # -- import and export -------------------------------------------------------------------

    async def import_data(
        self, actor: Actor, pod: str, table: str, data: bytes, fmt: str, mode: str = "atomic"
    ) -> ImportReport:
        if mode not in IMPORT_MODES:
            raise Invalid("mode is atomic or rows")
        if len(data) > MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"an import may be at most {MAX_IMPORT_BYTES} bytes")
        parsed = kv_io.parse(data, fmt)

        def load(conn: Connection) -> ImportReport:
            access = pod_data_access(conn, actor, pod, write=True)
            row = _table(conn, access.pod_id, table)
            good: list[tuple[bytes, str, bytes]] = []
            total = len(parsed.rows) + parsed.failed
            for line, key, value in parsed.rows:
                try:
                    good.append((*encode_key(row.index_type, key), _check_value(value)))
                except (Invalid, PayloadTooLarge) as exc:
                    parsed.error(line, exc.detail)
            if parsed.failed and mode == "atomic":
                first = min(parsed.errors, key=lambda e: int(e["line"]))
                more = f" (and {parsed.failed - 1} more)" if parsed.failed > 1 else ""
                raise Invalid(f"line {first['line']}: {first['error']}{more}; nothing was loaded")
            upsert_entries(conn, row.id, good)
            if parsed.columns is not None:
                conn.execute(
                    kv_tables.update()
                    .where(kv_tables.c.id == row.id)
                    .values(columns=parsed.columns)
                )
            errors = sorted(parsed.errors, key=lambda e: int(e["line"]))
            return ImportReport(
                total,
                len(good),
                parsed.failed,
                [LineError(int(e["line"]), str(e["error"])) for e in errors],
            )

        report = await self.ctx.db.write(load)
        if report.loaded >= ANALYZE_AFTER_ROWS:
            await self.ctx.db.analyze(kv_entries)
        return report

    async def export(
        self,
        actor: Actor,
        pod: str,
        table: str,
        fmt: str = "jsonl",
        start: str | None = None,
        end: str | None = None,
    ) -> AsyncIterator[bytes]:
        """The table as CSV or JSON lines, read page by page; checks access before returning."""
        if fmt not in ("csv", "jsonl"):
            raise Invalid("format is csv or jsonl")
        info = await self.stat(actor, pod, table)
        return self._export_pages(actor, pod, table, fmt, info.columns, start, end)

    async def _export_pages(
        self,
        actor: Actor,
        pod: str,
        table: str,
        fmt: str,
        columns: list[str] | None,
        start: str | None,
        end: str | None,
    ) -> AsyncIterator[bytes]:
        cursor: str | None = None
        first = True
        while True:
            page = await self.scan(actor, pod, table, start, end, MAX_SCAN, cursor)
            rows = [(entry.key, entry.value) for entry in page.entries]
            lines = list(kv_io.export_lines(fmt, columns, iter(rows)))
            if fmt == "csv" and not first:
                lines = lines[1:]
            first = False
            if lines:
                yield b"".join(lines)
            cursor = page.next
            if not cursor:
                return
