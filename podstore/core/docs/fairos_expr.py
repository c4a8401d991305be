"""FairOS document expressions: `field<op>value`, parsed exactly as FairOS parses them.

Parsing: the operator is the first of `=>`, `<=`, `<`, `>`, `!=`, `=` that occurs anywhere
in the expression (so `>=` is not an operator: `age>=20` is `>` with the value `=20`), and
the expression is split on every occurrence of it: the field is the text before the first,
the value the text between the first and the second (Go's `strings.Split(expr, op)[0:2]`).
Nothing is trimmed.

Evaluation walks the field's index in key order, as FairOS does, so results come in index
order (value, then id); `field` must be indexed (`id` always is).

- string index (and `id`): `=` → the documents of the first key ≥ value that the value,
  read as a regular expression, matches (unanchored); `=>` → every key ≥ value that it
  matches; `>` → the same without the key equal to the value. `<`, `<=`, `!=` compare
  plainly.
- number index: the value must be a number; `=`, `=>` (≥), `>`, `<`, `<=`, `!=` compare
  numerically. Deliberate fixes: FairOS's `=` returns the first key ≥ the value, and its
  `<`/`<=` never find negatives; here they are exact.
- list and map indexes: plain comparisons of the element (list) or of `key+value` (map; the
  `:` characters of the value are removed first, so `addr=city:Berlin` finds
  `{"addr": {"city": "Berlin"}}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podstore.core.errors import Invalid
from podstore.core.kv.keys import parse_number
from podstore.meta.kv_schema import doc_index, documents

OPERATORS = ("=>", "<=", "<", ">", "!=", "=")
REGEX_OPERATORS = ("=", "=>", ">")
MAX_PATTERN = 1024
PAGE = 1000
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "=>": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "!=": lambda a, b: a != b,
}


@dataclass(frozen=True)
class Expression:
    field: str
    op: str
    value: str


def parse(expr: str) -> Expression:
    if not isinstance(expr, str):
        raise Invalid("an expression is a string like 'age=>20'")
    for op in OPERATORS:
        if op in expr:
            parts = expr.split(op)
            return Expression(parts[0], op, parts[1])
    raise Invalid("invalid operator")


class _Index:
    """The (key, doc id) pairs of one index of one collection, in key order."""

    def __init__(self, collection_id: str, field: str, kind: str) -> None:
        self.kind = kind
        # the index's columns before the key, for ORDER BY: a number key sits behind s (NULL
        # for numbers), and PostgreSQL reads the index in order only if the ORDER BY says so
        self.before: list[Any] = []
        if field == "id":
            self.key, self.doc = documents.c.id, documents.c.id
            self.base = [documents.c.collection_id == collection_id]
        else:
            self.key = doc_index.c.n if kind == "number" else doc_index.c.s
            self.doc = doc_index.c.doc_id
            self.base = [doc_index.c.collection_id == collection_id, doc_index.c.field == field]
            if kind == "number":
                self.base.append(doc_index.c.s.is_(None))
                self.before = [doc_index.c.s]
            else:
                self.base.append(doc_index.c.s.is_not(None))

    def rows(self, conn: Connection, condition: Any) -> Iterator[tuple[Any, str]]:
        last: tuple[Any, str] | None = None
        while True:
            query = sa.select(self.key, self.doc).where(*self.base, condition)
            if last is not None:
                query = query.where(
                    sa.or_(self.key > last[0], sa.and_(self.key == last[0], self.doc > last[1]))
                )
            order = (*self.before, self.key, self.doc)
            page = conn.execute(query.order_by(*order).limit(PAGE)).all()
            yield from ((key, doc) for key, doc in page)
            if len(page) < PAGE:
                return
            last = (page[-1][0], page[-1][1])

    def count(self, conn: Connection, condition: Any) -> int:
        query = sa.select(sa.func.count(sa.distinct(self.doc))).where(*self.base, condition)
        return int(conn.execute(query).scalar_one())


def _plan(
    indexes: list[dict[str, str]], collection_id: str, expr: Expression
) -> tuple[_Index, Any, re.Pattern[str] | None]:
    types = {i["name"]: i["type"] for i in indexes}
    kind = types.get(expr.field)
    if kind is None:
        raise Invalid(f"{expr.field!r} is not an indexed field of this collection")
    index = _Index(collection_id, expr.field, kind)
    value: Any = expr.value
    if kind == "map":
        value = value.replace(":", "")
    if kind == "number":
        value = parse_number(value)
    pattern = None
    if kind == "string" and expr.op in REGEX_OPERATORS:
        if len(value) > MAX_PATTERN:
            raise Invalid("the expression's value is too long")
        try:
            pattern = re.compile(value)
        except re.error as exc:
            raise Invalid(f"the value is not a valid regular expression: {exc}") from None
        op = ">" if expr.op == ">" else "=>"
        return index, COMPARE[op](index.key, value), pattern
    return index, COMPARE[expr.op](index.key, value), None


def find_ids(
    conn: Connection,
    collection_id: str,
    indexes: list[dict[str, str]],
    expr: Expression,
    limit: int | None,
) -> list[str]:
    """Ids of the matching documents in index order, at most `limit` (None: all)."""
    index, condition, pattern = _plan(indexes, collection_id, expr)
    ids: list[str] = []
    seen: set[str] = set()
    first_key: Any = None
    for key, doc in index.rows(conn, condition):
        if pattern is not None:
            if first_key is not None and key != first_key:
                break
            if not pattern.search(key):
                continue
            if expr.op == "=":
                first_key = key
        if doc not in seen:
            seen.add(doc)
            ids.append(doc)
            if limit is not None and len(ids) >= limit:
                break
    return ids


def count(
    conn: Connection, collection_id: str, indexes: list[dict[str, str]], expr: Expression
) -> int:
    index, condition, pattern = _plan(indexes, collection_id, expr)
    if pattern is None:
        return index.count(conn, condition)
    return len(find_ids(conn, collection_id, indexes, expr, None))
