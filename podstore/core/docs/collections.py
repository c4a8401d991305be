"""Document collections in pods: JSON documents keyed by their string `id`.

Every operation asks `authorize` first, inside the same database function: viewers read,
editors write. `find` and `count` take either a native filter (`docs_filter`, compiled by
`docs_sql`, with sort, limit and cursor) or a FairOS expression (`fairos_expr`). A put
replaces the document of the same id and its index rows in one transaction; an import is one
transaction too, unless `mode="rows"` asks to load the good lines and report the bad ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from podstore.core import cursors
from podstore.core.context import Actor, CoreContext
from podstore.core.docs import fairos_expr
from podstore.core.docs.filters import Node, Sort, parse_filter, parse_sort
from podstore.core.docs.indexes import index_rows, parse_spec, validate_document
from podstore.core.docs.sql import (
    FilterSql,
    decode_cursor,
    driver_candidates,
    encode_cursor,
    keyset_after,
)
from podstore.core.errors import Conflict, Invalid, NotFound, PayloadTooLarge
from podstore.core.names import validate_name
from podstore.core.pods.containers import ContainerKind, pod_data_access
from podstore.core.records import (
    CollectionInfo,
    DocPage,
    DocStored,
    ImportReport,
    LineError,
)
from podstore.core.tree.files import Files
from podstore.meta.errors import UniqueViolation
from podstore.meta.kv_schema import doc_collections, doc_index, documents

MAX_FIND = 10_000
MAX_IMPORT_BYTES = 1024 * 1024 * 1024
MAX_REPORTED_ERRORS = 100
DRIVER_LIMIT = 5_000
CHUNK = 500
ANALYZE_AFTER_ROWS = 1_000  # a bulk load this large refreshes the planner's statistics
Prepared = tuple[str, dict[str, Any], list[tuple[str, str | None, float | None]]]


COLLECTIONS = ContainerKind(
    "document collection", doc_collections, documents, "collection_id", dependents=(doc_index,)
)


def _collection(conn: Connection, pod_id: str, name: str) -> Any:
    return COLLECTIONS.find(conn, pod_id, name)


def _info(row: Any, count: int) -> CollectionInfo:
    return CollectionInfo(row.name, row.indexes, count, row.created_at, bool(row.immutable))


def _prepare(doc: Any, indexes: list[dict[str, str]]) -> Prepared:
    doc_id = validate_document(doc, indexes)
    return doc_id, doc, index_rows(doc, indexes)


def write_documents(
    conn: Connection, collection_id: str, prepared: Iterable[Prepared], replace: bool = True
) -> int:
    """Insert documents (replacing same ids) with their index rows; the last equal id wins."""
    unique = {doc_id: (doc, rows) for doc_id, doc, rows in prepared}
    ids = list(unique)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if replace:
            conn.execute(
                doc_index.delete().where(
                    doc_index.c.collection_id == collection_id, doc_index.c.doc_id.in_(chunk)
                )
            )
            conn.execute(
                documents.delete().where(
                    documents.c.collection_id == collection_id, documents.c.id.in_(chunk)
                )
            )
        conn.execute(
            documents.insert(),
            [{"collection_id": collection_id, "id": i, "body": unique[i][0]} for i in chunk],
        )
        index = [
            {"collection_id": collection_id, "field": f, "doc_id": i, "s": s, "n": n}
            for i in chunk
            for f, s, n in unique[i][1]
        ]
        if index:
            conn.execute(doc_index.insert(), index)
    return len(ids)


def _driver(conn: Connection, sql: FilterSql, node: Node) -> Node | None:
    """The most selective indexed condition, if it matches fewer than DRIVER_LIMIT rows."""
    best, best_count = None, DRIVER_LIMIT
    for candidate in driver_candidates(sql, node):
        table = doc_index.alias()
        matches = sa.select(sa.literal(1)).where(sql.index_condition(candidate, table))
        count = conn.execute(
            sa.select(sa.func.count()).select_from(matches.limit(DRIVER_LIMIT).subquery())
        ).scalar_one()
        if count < best_count:
            best, best_count = candidate, count
    return best


class DocCollections:
    def __init__(self, ctx: CoreContext, files: Files) -> None:
        self.ctx = ctx
        self.files = files

    # -- collections ---------------------------------------------------------------------------

    async def collections(self, actor: Actor, pod: str) -> list[CollectionInfo]:
        def query(conn: Connection) -> list[CollectionInfo]:
            access = pod_data_access(conn, actor, pod, write=False)
            return [_info(row, int(row.n)) for row in COLLECTIONS.list(conn, access.pod_id)]

        return await self.ctx.db.read(query)

    async def create(
        self,
        actor: Actor,
        pod: str,
        name: str,
        indexes: str | None = None,
        *,
        immutable: bool = False,
    ) -> CollectionInfo:
        """A collection; an immutable one takes documents only from bulk loads (import,
        index_file), and refuses `put` (FairOS's `mutable: false`)."""
        name = validate_name(name)
        spec = parse_spec(indexes)

        def create(conn: Connection) -> CollectionInfo:
            access = pod_data_access(conn, actor, pod, write=True)
            values = COLLECTIONS.create(
                conn, access.pod_id, name, indexes=spec, immutable=immutable
            )
            return _info(SimpleNamespace(**values), 0)

        try:
            return await self.ctx.db.write(create)
        except UniqueViolation:
            raise COLLECTIONS.conflict(name) from None

    async def stat(self, actor: Actor, pod: str, name: str) -> CollectionInfo:
        def query(conn: Connection) -> CollectionInfo:
            access = pod_data_access(conn, actor, pod, write=False)
            row = _collection(conn, access.pod_id, name)
            return _info(row, COLLECTIONS.count(conn, row.id))

        return await self.ctx.db.read(query)

    async def delete_collection(self, actor: Actor, pod: str, name: str) -> None:
        def delete(conn: Connection) -> None:
            access = pod_data_access(conn, actor, pod, write=True)
            COLLECTIONS.delete(conn, access.pod_id, name)

        await self.ctx.db.write(delete)

    # -- documents -----------------------------------------------------------------------------

    async def put(self, actor: Actor, pod: str, name: str, doc: Any) -> DocStored:
        """Store a document; the same id replaces it."""

        def put(conn: Connection) -> DocStored:
            access = pod_data_access(conn, actor, pod, write=True)
            row = _collection(conn, access.pod_id, name)
            if row.immutable:
                raise Conflict(f"the document collection {name!r} is immutable")
            prepared = _prepare(doc, row.indexes)
            exists = conn.execute(
                sa.select(sa.literal(1)).where(
                    documents.c.collection_id == row.id, documents.c.id == prepared[0]
                )
            ).first()
            write_documents(conn, row.id, [prepared], replace=exists is not None)
            return DocStored(prepared[0], exists is None)

        return await self.ctx.db.write(put)

    async def get(self, actor: Actor, pod: str, name: str, doc_id: str) -> dict[str, Any]:
        def query(conn: Connection) -> Any:
            access = pod_data_access(conn, actor, pod, write=False)
            row = _collection(conn, access.pod_id, name)
            return conn.execute(
                sa.select(documents.c.body).where(
                    documents.c.collection_id == row.id, documents.c.id == doc_id
                )
            ).scalar()

        body = await self.ctx.db.read(query)
        if body is None:
            raise NotFound(f"no document {doc_id!r} in {name!r}")
        return dict(body)

    async def delete(self, actor: Actor, pod: str, name: str, doc_id: str) -> None:
        def delete(conn: Connection) -> None:
            access = pod_data_access(conn, actor, pod, write=True)
            row = _collection(conn, access.pod_id, name)
            gone = conn.execute(
                documents.delete().where(
                    documents.c.collection_id == row.id, documents.c.id == doc_id
                )
            ).rowcount
            if not gone:
                raise NotFound(f"no document {doc_id!r} in {name!r}")
            conn.execute(
                doc_index.delete().where(
                    doc_index.c.collection_id == row.id, doc_index.c.doc_id == doc_id
                )
            )

        await self.ctx.db.write(delete)

    # -- queries -------------------------------------------------------------------------------
    # A FairOS expression walks one index in its order, so its pages continue by position:
    # the cursor holds how many matches came before, tied to the expression it pages.

    async def find(
        self,
        actor: Actor,
        pod: str,
        name: str,
        filter: Any = None,
        expr: str | None = None,
        sort: Any = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> DocPage:
        """The matching documents, a page at a time."""
        if not 1 <= limit <= MAX_FIND:
            raise Invalid(f"limit is from 1 to {MAX_FIND}")
        if expr is not None and (filter is not None or sort is not None):
            raise Invalid("expr takes a limit and a cursor only; filter and sort go together")
        parsed_expr = fairos_expr.parse(expr) if expr else None
        node, order = parse_filter(filter), parse_sort(sort)
        skip, last = 0, None
        if cursor and expr is not None:
            skip = _expr_cursor_offset(cursor, expr)
        elif cursor:
            last = decode_cursor(cursor, order)

        def query(conn: Connection) -> DocPage:
            access = pod_data_access(conn, actor, pod, write=False)
            row = _collection(conn, access.pod_id, name)
            if parsed_expr is not None:
                assert expr is not None
                ids = fairos_expr.find_ids(conn, row.id, row.indexes, parsed_expr, skip + limit + 1)
                page = ids[skip : skip + limit]
                more = len(ids) > skip + limit
                next_cursor = _expr_cursor(expr, skip + limit) if more else None
                return DocPage(self._bodies(conn, row.id, page), next_cursor)
            return self._find(conn, row, node, order, limit, last)

        return await self.ctx.db.read(query)

    def _bodies(self, conn: Connection, collection_id: str, ids: list[str]) -> list[Any]:
        found: dict[str, Any] = {}
        for start in range(0, len(ids), CHUNK):
            found.update(
                conn.execute(
                    sa.select(documents.c.id, documents.c.body).where(
                        documents.c.collection_id == collection_id,
                        documents.c.id.in_(ids[start : start + CHUNK]),
                    )
                ).all()
            )
        return [found[i] for i in ids if i in found]

    def _find(
        self,
        conn: Connection,
        row: Row[Any],
        node: Node,
        order: Sort,
        limit: int,
        last: list[Any] | None,
    ) -> DocPage:
        sql = FilterSql(conn.dialect.name, row.id, row.indexes)
        keys = sql.sort_keys(order.path) if order.path else None
        query = sa.select(documents.c.id, documents.c.body, *(keys or ())).where(
            documents.c.collection_id == row.id,
            sql.where(merged := sql.merge_ranges(node), _driver(conn, sql, merged)),
        )
        if last is not None:
            query = query.where(keyset_after(keys, last, order.descending))
        columns = [*(keys or ()), documents.c.id]
        query = query.order_by(*(c.desc() if order.descending else c.asc() for c in columns))
        rows = conn.execute(query.limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more:
            tail = rows[-1]
            next_cursor = encode_cursor(
                [tail[2], tail[3], tail[4], tail[0]] if keys else [tail[0]], order
            )
        return DocPage([r[1] for r in rows], next_cursor)

    async def count(
        self, actor: Actor, pod: str, name: str, filter: Any = None, expr: str | None = None
    ) -> int:
        if expr is not None and filter is not None:
            raise Invalid("count takes a filter or an expr, not both")
        parsed_expr = fairos_expr.parse(expr) if expr else None
        node = parse_filter(filter)

        def query(conn: Connection) -> int:
            access = pod_data_access(conn, actor, pod, write=False)
            row = _collection(conn, access.pod_id, name)
            if parsed_expr is not None:
                return fairos_expr.count(conn, row.id, row.indexes, parsed_expr)
            sql = FilterSql(conn.dialect.name, row.id, row.indexes)
            where = sql.where(merged := sql.merge_ranges(node), _driver(conn, sql, merged))
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(documents.c.collection_id == row.id, where)
                ).scalar_one()
            )

        return await self.ctx.db.read(query)

    # -- import --------------------------------------------------------------------------------

    async def import_lines(
        self, actor: Actor, pod: str, name: str, data: bytes, mode: str = "atomic"
    ) -> ImportReport:
        """Load JSON lines (one document per line)."""
        if mode not in ("atomic", "rows"):
            raise Invalid("mode is atomic or rows")
        if len(data) > MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"an import may be at most {MAX_IMPORT_BYTES} bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Invalid(f"the file is not UTF-8 (byte {exc.start})") from None
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]

        def load(conn: Connection) -> ImportReport:
            access = pod_data_access(conn, actor, pod, write=True)
            row = _collection(conn, access.pod_id, name)
            good: list[Prepared] = []
            errors: list[LineError] = []
            for number, line in lines:
                try:
                    good.append(_prepare(json.loads(line), row.indexes))
                except (ValueError, Invalid, PayloadTooLarge) as exc:
                    detail = exc.detail if isinstance(exc, Invalid | PayloadTooLarge) else None
                    errors.append(LineError(number, detail or f"bad JSON: {exc}"))
            if errors and mode == "atomic":
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                first = errors[0]
                raise Invalid(f"line {first.line}: {first.error}{more}; nothing was loaded")
            empty = COLLECTIONS.count(conn, row.id) == 0
            loaded = write_documents(conn, row.id, good, replace=not empty)
            return ImportReport(len(lines), loaded, len(errors), errors[:MAX_REPORTED_ERRORS])

        report = await self.ctx.db.write(load)
        if report.loaded >= ANALYZE_AFTER_ROWS:
            await self.ctx.db.analyze(documents, doc_index)
        return report

    async def index_file(
        self, actor: Actor, pod: str, name: str, path: str, mode: str = "atomic"
    ) -> ImportReport:
        """Load a JSON-lines file that is already in the pod into the collection."""
        download = await self.files.open(actor, pod, path)
        if download.size > MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"an import may be at most {MAX_IMPORT_BYTES} bytes")
        data = b"".join([piece async for piece in self.files.stream(download)])
        return await self.import_lines(actor, pod, name, data, mode)


def _expr_cursor(expr: str, offset: int) -> str:
    return cursors.encode(f"expr:{_expr_tag(expr)}", [offset])


def _expr_cursor_offset(cursor: str, expr: str) -> int:
    (offset,) = cursors.decode(cursor, f"expr:{_expr_tag(expr)}", 1)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise Invalid("the cursor is not valid")
    return offset


def _expr_tag(expr: str) -> str:
    return hashlib.blake2b(expr.encode(), digest_size=8).hexdigest()
