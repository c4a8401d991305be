"""One page of a folder: one prepared query, ordered by (sort key, name), keyset-paged.

A 10,000-entry page spent most of its time in SQLAlchemy's per-row work; the query runs as a
`Prepared` statement (one per sort, order and first-or-next page), reads only the columns a
`NodeInfo` holds, and orders by name alone when name is the sort key (names are unique among
a folder's live entries, so the tie-breaker only made SQLite sort again).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core import cursors
from podstore.core.context import Actor
from podstore.core.errors import Invalid
from podstore.core.records import Listing, NodeInfo
from podstore.meta.prepared import Prepared
from podstore.meta.schema import nodes, stars

SORT_COLUMNS = {
    "name": nodes.c.name,
    "size": nodes.c.size,
    "modified": nodes.c.modified_at,
    "type": nodes.c.kind,
}
MAX_PAGE = 10_000
_ENTRY_COLUMNS = (
    nodes.c.id,
    nodes.c.name,
    nodes.c.kind,
    nodes.c.size,
    nodes.c.modified_at,
    nodes.c.created_at,
    nodes.c.content_type,
    nodes.c.version_id,
    nodes.c.parent_id,
    nodes.c.mode,
)


_SORT_POSITIONS = {
    sort: next(i for i, c in enumerate(_ENTRY_COLUMNS) if c is column)
    for sort, column in SORT_COLUMNS.items()
}


def starred_now() -> sa.ColumnElement[bool]:
    """Whether the user `:user_id` starred the node."""
    return sa.exists().where(
        stars.c.node_id == nodes.c.id, stars.c.user_id == sa.bindparam("user_id")
    )


def page_statement(
    columns: Sequence[sa.ColumnElement[Any]], sort: str, descending: bool, after: bool, dialect: str
) -> sa.Select[Any]:
    """`columns` of the live children of `:dir_id`, ordered by (sort key, name), `:limit` of
    them, after the cursor's (`:last_value`, `:last_name`) when `after`."""
    column: sa.ColumnElement[Any] = SORT_COLUMNS[sort]
    name: sa.ColumnElement[Any] = nodes.c.name
    if dialect == "postgresql":
        name = name.collate("C")
        if sort in ("name", "type"):
            column = column.collate("C")
    query = sa.select(*columns).where(
        nodes.c.parent_id == sa.bindparam("dir_id"), nodes.c.trashed_at.is_(None)
    )
    if after:
        keyset = sa.tuple_(column, name)
        bound = sa.tuple_(
            sa.bindparam("last_value", type_=SORT_COLUMNS[sort].type),
            sa.bindparam("last_name", type_=nodes.c.name.type),
        )
        query = query.where(keyset < bound if descending else keyset > bound)
    direction = sa.desc if descending else sa.asc
    order = [direction(column)] if sort == "name" else [direction(column), direction(name)]
    return query.order_by(*order).limit(sa.bindparam("limit", type_=sa.Integer))


def _page_statement(sort: str, descending: bool, after: bool, dialect: str) -> sa.Select[Any]:
    # an integer, not a Boolean: no result processor, so rows come back as the driver's tuples
    starred = sa.type_coerce(starred_now(), sa.Integer).label("starred")
    return page_statement((*_ENTRY_COLUMNS, starred), sort, descending, after, dialect)


_PAGES = {
    (sort, descending, after): Prepared(functools.partial(_page_statement, sort, descending, after))
    for sort in SORT_COLUMNS
    for descending in (False, True)
    for after in (False, True)
}


def page_params(
    actor: Actor, dir_id: str, sort: str, order: str, limit: int, cursor: str | None
) -> dict[str, Any]:
    """The parameters of `page_statement` for one page (`limit` + 1 rows: the last one says
    whether there is more), the page's arguments checked."""
    if sort not in SORT_COLUMNS:
        raise Invalid(f"sort is one of {', '.join(SORT_COLUMNS)}")
    if order not in ("asc", "desc"):
        raise Invalid("order is asc or desc")
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit is from 1 to {MAX_PAGE}")
    params: dict[str, Any] = {"user_id": actor.user_id, "dir_id": dir_id, "limit": limit + 1}
    if cursor:
        last_value, last_name = cursors.decode(cursor, f"list:{sort}", 2)
        if not isinstance(last_name, str):
            raise Invalid("the cursor is not valid")
        params |= {"last_value": last_value, "last_name": last_name}
    return params


def next_cursor(sort: str, key: Any, name: str) -> str:
    """The cursor that continues a page whose last entry has sort key `key` and `name`."""
    return cursors.encode(f"list:{sort}", [key, name])


def list_children(
    conn: Connection,
    actor: Actor,
    dir_id: str,
    *,
    sort: str = "name",
    order: str = "asc",
    limit: int = 1000,
    cursor: str | None = None,
) -> Listing:
    """One page of a folder, ordered by (sort key, name): one query per page."""
    params = page_params(actor, dir_id, sort, order, limit, cursor)
    rows = _PAGES[sort, order == "desc", bool(cursor)].tuples(conn, params)
    entries = [_entry(*row) for row in rows[:limit]]
    if len(rows) <= limit:
        return Listing(entries, None)
    last = rows[limit - 1]
    return Listing(entries, next_cursor(sort, last[_SORT_POSITIONS[sort]], last[1]))


def _entry(
    id: str,
    name: str,
    kind: str,
    size: int,
    modified: float,
    created: float,
    content_type: str | None,
    version_id: str | None,
    parent_id: str | None,
    mode: int | None,
    starred: int,
) -> NodeInfo:
    """A listing row (`_ENTRY_COLUMNS`, then starred) as the record front ends shape."""
    return NodeInfo(
        id,
        name,
        kind,
        size if kind == "file" else 0,
        modified,
        created,
        content_type,
        version_id,
        parent_id,
        bool(starred),
        mode=mode,
    )
