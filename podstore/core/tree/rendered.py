"""One page of a folder as JSON text, for a front end that sends it as it is.

A front end names the entry's keys and the `NodeInfo` field each holds (`Fields`). The page
query writes each entry's JSON object (SQLite's `json_object`, PostgreSQL's
`json_build_object`), so no record or dict is made per entry and nothing is encoded twice.
Values are what the same fields of `list_children`'s records give: times as `iso` writes
them, `size` 0 for a folder, `starred` a boolean. The page, its order and its cursor are
`list_children`'s, from the same statement (`page_statement`).

The times come from the node's stamps (`created_stamp`, `modified_stamp`), which the database
writes whenever a node's times change (migration 0009): SQLite's date functions cost ~1 µs a
time, more than the rest of the entry, and Python's `iso` between two halves of the entry
~40% of the page. A page with a node whose stamp is null (a time `iso` cannot write) fails
as `list_children`'s shape would: `iso` raises for that time.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.context import Actor, iso
from podstore.core.records import RenderedListing
from podstore.core.tree.listing import (
    SORT_COLUMNS,
    list_children,
    next_cursor,
    page_params,
    page_statement,
    starred_now,
)
from podstore.meta.prepared import Prepared
from podstore.meta.schema import nodes

Fields = tuple[tuple[str, str], ...]  # (key in the entry's JSON object, NodeInfo field)

TIMES = ("modified_at", "created_at")
_COLUMNS = {
    "id": nodes.c.id,
    "name": nodes.c.name,
    "kind": nodes.c.kind,
    "content_type": nodes.c.content_type,
    "version_id": nodes.c.version_id,
    "parent_id": nodes.c.parent_id,
    "mode": nodes.c.mode,
}
_STAMPS = {"created_at": nodes.c.created_stamp, "modified_at": nodes.c.modified_stamp}
FIELDS = frozenset([*_COLUMNS, *TIMES, "size", "starred"])


def _value(field: str, dialect: str) -> sa.ColumnElement[Any]:
    if field in _COLUMNS:
        return _COLUMNS[field]
    if field in _STAMPS:
        return _STAMPS[field]
    if field == "size":
        return sa.case((nodes.c.kind == "file", nodes.c.size), else_=0)
    # "starred": `_check` refused any field outside FIELDS
    if dialect == "postgresql":
        return starred_now()
    return sa.case((starred_now(), sa.func.json("true")), else_=sa.func.json("false"))


def _object(fields: Fields, dialect: str) -> sa.ColumnElement[Any]:
    """The JSON object of `fields` as text (times from the stamps)."""
    pairs: list[sa.ColumnElement[Any]] = []
    for key, field in fields:
        pairs += [sa.literal(key, sa.String), _value(field, dialect)]
    if dialect == "postgresql":
        return sa.cast(sa.func.json_build_object(*pairs), sa.Text)
    return sa.type_coerce(sa.func.json_object(*pairs), sa.String)


def _check(fields: Fields) -> None:
    """Refuses a field a listing cannot render, and times apart (they have always been
    rendered next to each other)."""
    for _, field in fields:
        if field not in FIELDS:
            raise ValueError(f"a listing cannot render {field!r}; it renders {sorted(FIELDS)}")
    at = [i for i, (_, field) in enumerate(fields) if field in TIMES]
    if at and at != list(range(at[0], at[-1] + 1)):
        raise ValueError("a listing renders its times next to each other")


@functools.cache
def _prepared(fields: Fields, sort: str, descending: bool, after: bool) -> Prepared:
    """Each entry whole, its times from the stamps; null when one of them is (see above)."""
    _check(fields)
    # after the entry: what the cursor needs of it (the sort key, then the name)
    key = () if sort == "name" else (SORT_COLUMNS[sort],)
    stamps = [_STAMPS[field].is_not(None) for _, field in fields if field in TIMES]

    def statement(dialect: str) -> sa.Select[Any]:
        entry = _object(fields, dialect)
        if stamps:
            entry = sa.case((sa.and_(*stamps), entry), else_=sa.null())
        columns = (entry.label("entry"), *key, nodes.c.name)
        return page_statement(columns, sort, descending, after, dialect)

    return Prepared(statement)


def _unwritable_time(conn: Connection, actor: Actor, dir_id: str, page: dict[str, Any]) -> None:
    """Raises what `iso` raises for the page's time it cannot write (a null stamp)."""
    for entry in list_children(conn, actor, dir_id, **page).entries:
        iso(entry.created_at), iso(entry.modified_at)
    raise RuntimeError("a node has no stamp for a time iso writes (migration 0009 missing?)")


def render_children(
    conn: Connection,
    actor: Actor,
    dir_id: str,
    fields: Fields,
    *,
    sort: str = "name",
    order: str = "asc",
    limit: int = 1000,
    cursor: str | None = None,
) -> RenderedListing:
    """`list_children`'s page, each entry a JSON object of `fields`."""
    params = page_params(actor, dir_id, sort, order, limit, cursor)
    rows = _prepared(fields, sort, order == "desc", bool(cursor)).tuples(conn, params)
    texts = [row[0] for row in rows[:limit]]
    if None in texts:
        page = {"sort": sort, "order": order, "limit": limit, "cursor": cursor}
        _unwritable_time(conn, actor, dir_id, page)
    entries = ("[" + ",".join(texts) + "]").encode()
    if len(rows) <= limit:
        return RenderedListing(entries, None)
    last = rows[limit - 1]
    key = last[-1] if sort == "name" else last[-2]
    return RenderedListing(entries, next_cursor(sort, key, last[-1]))
