"""Compiling native filters (`docs_filter`) to SQL over the database's own JSON support.

SQLite uses JSON1 (`json_type`, `json_extract`, `json_each`); PostgreSQL uses JSONB (`->`,
`#>>`, `jsonb_typeof`, `jsonb_array_elements`).

Indexes: conditions on `id` use the primary key. Comparisons on one string or number index
field within an AND are folded into one range (`merge_ranges`). The caller picks the most
selective indexed condition (fewer than a few thousand `doc_index` rows) as the *driver*,
compiled as `id IN (SELECT doc_id FROM doc_index …)` and answered from the value index; every
other condition is evaluated on the document's JSON while the planner walks the candidates
(or, with no driver, the documents in sort order until the page is full). Both forms have
the same meaning, so the choice is only about speed.

Every leaf is made two-valued (`coalesce(…, false)`) so that `$ne` (NOT) is exact on
missing fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from podstore.core import cursors
from podstore.core.docs.filters import And, Cmp, Exists, Node, Not, Or, Sort
from podstore.core.docs.indexes import index_kind
from podstore.core.errors import Invalid
from podstore.meta.kv_schema import doc_index, documents

Expr = ColumnElement[Any]
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Ref:
    """A JSON value (at a path, or an array element) with type-strict scalar tests."""

    def __init__(self, pg: bool, typ: Expr, val: Expr) -> None:
        self.pg, self.typ, self.val = pg, typ, val

    def test(self, op: str, x: Any) -> Expr:
        compare = OPS[op]
        if x is None:
            return self.typ == "null"
        if isinstance(x, bool):
            if self.pg:
                return sa.and_(self.typ == "boolean", self.val == ("true" if x else "false"))
            return self.typ == ("true" if x else "false")
        if isinstance(x, str):
            if self.pg:
                return sa.and_(self.typ == "string", compare(self.val.collate("C"), x))
            return sa.and_(self.typ == "text", compare(self.val, x))
        if self.pg:
            number = sa.cast(self.val, sa.Float)
            return sa.case((self.typ == "number", compare(number, x)), else_=sa.false())
        return sa.and_(self.typ.in_(("integer", "real")), compare(self.val, x))

    def rank(self) -> Expr:
        return sa.case(
            (self.typ.in_(("number", "integer", "real")), 1),
            (self.typ.in_(("string", "text")), 2),
            else_=0,
        )

    def number(self) -> Expr:
        value = sa.cast(self.val, sa.Float) if self.pg else self.val
        return sa.case((self.typ.in_(("number", "integer", "real")), value), else_=sa.null())

    def string(self) -> Expr:
        value = self.val.collate("C") if self.pg else self.val
        return sa.case((self.typ.in_(("string", "text")), value), else_=sa.null())


class FilterSql:
    def __init__(self, dialect: str, collection_id: str, indexes: list[dict[str, str]]) -> None:
        self.pg = dialect == "postgresql"
        self.collection_id = collection_id
        self.indexes = indexes

    # -- JSON access ---------------------------------------------------------------------------

    def _json(self, path: tuple[str, ...]) -> Expr:
        value: Expr = documents.c.body
        for key in path:
            value = value.op("->", return_type=JSONB)(sa.cast(sa.literal(key), sa.Text))
        return value

    def ref(self, path: tuple[str, ...]) -> _Ref:
        if self.pg:
            value = self._json(path)
            text = value.op("#>>", return_type=sa.Text)(sa.literal_column("'{}'::text[]"))
            return _Ref(True, sa.func.jsonb_typeof(value), text)
        where = "$" + "".join(f'."{key}"' for key in path)
        return _Ref(
            False,
            sa.func.json_type(documents.c.body, where),
            sa.func.json_extract(documents.c.body, where),
        )

    def _any(self, path: tuple[str, ...], test: Callable[[_Ref], Expr]) -> Expr:
        """The value at `path`, or any element if it is an array, passes `test`."""
        ref = self.ref(path)
        if self.pg:
            value = self._json(path)
            array = sa.case((ref.typ == "array", value), else_=sa.literal_column("'[]'::jsonb"))
            each = sa.func.jsonb_array_elements(array).table_valued("value").alias()
            item = each.c.value
            text = item.op("#>>", return_type=sa.Text)(sa.literal_column("'{}'::text[]"))
            elem = _Ref(True, sa.func.jsonb_typeof(item), text)
            inner: Expr = sa.exists(sa.select(sa.literal(1)).select_from(each).where(test(elem)))
        else:
            where = "$" + "".join(f'."{key}"' for key in path)
            rows = sa.func.json_each(documents.c.body, where).table_valued("type", "value")
            each = rows.alias()
            elem = _Ref(False, each.c.type, each.c.value)
            inner = sa.and_(
                ref.typ == "array",
                sa.exists(sa.select(sa.literal(1)).select_from(each).where(test(elem))),
            )
        return sa.or_(test(ref), inner)

    # -- indexes -------------------------------------------------------------------------------

    def indexable(self, node: Node) -> bool:
        if not isinstance(node, Cmp) or index_kind(self.indexes, node.path) is None:
            return False
        if node.op == "all":
            return True
        values = node.value if node.op == "in" else (node.value,)
        if not values:
            return False
        return all(isinstance(v, str) for v in values) or all(_is_number(v) for v in values)

    def index_condition(self, node: Cmp, table: Any) -> Expr:
        """The doc_index rows that satisfy `node`."""
        pairs = node.value if node.op == "all" else ((node.op, node.value),)
        values = node.value if node.op == "in" else tuple(v for _, v in pairs)
        if isinstance(values[0], str):
            column, extra = table.c.s, sa.true()
        else:
            column, extra = table.c.n, table.c.s.is_(None)
        if node.op == "in":
            test = column.in_(values)
        else:
            test = sa.and_(*(OPS[op](column, v) for op, v in pairs))
        return sa.and_(
            table.c.collection_id == self.collection_id,
            table.c.field == ".".join(node.path),
            extra,
            test,
        )

    def _indexed(self, node: Cmp) -> Expr:
        """`node` answered from an index: the id column, or `id IN (doc_index rows)`."""
        if index_kind(self.indexes, node.path) == "id":
            if node.op == "in":
                strings = [v for v in node.value if isinstance(v, str)]
                return documents.c.id.in_(strings) if strings else sa.false()
            pairs = node.value if node.op == "all" else ((node.op, node.value),)
            if not all(isinstance(v, str) for _, v in pairs):
                return sa.false()
            return sa.and_(*(OPS[op](documents.c.id, v) for op, v in pairs))
        table = doc_index.alias()
        condition = self.index_condition(node, table)
        return documents.c.id.in_(sa.select(table.c.doc_id).where(condition))

    # -- filters -------------------------------------------------------------------------------

    def merge_ranges(self, node: Node) -> Node:
        """Within each AND, fold comparisons on one single-valued indexed field (a string or
        number index, or id) into one `all` condition, so a range reads one index range."""
        if isinstance(node, Or):
            return Or(tuple(self.merge_ranges(n) for n in node.nodes))
        if isinstance(node, Not):
            return Not(self.merge_ranges(node.node))
        if not isinstance(node, And):
            return node
        flat: list[Node] = []
        for child in (self.merge_ranges(n) for n in node.nodes):
            flat.extend(child.nodes if isinstance(child, And) else (child,))
        groups: dict[tuple[tuple[str, ...], bool], list[Cmp]] = {}
        rest: list[Node] = []
        for child in flat:
            if self._single_valued(child):
                assert isinstance(child, Cmp)
                groups.setdefault((child.path, isinstance(child.value, str)), []).append(child)
            else:
                rest.append(child)
        merged = [
            Cmp(path, "all", tuple((c.op, c.value) for c in cmps))
            for (path, _), cmps in groups.items()
        ]
        return And((*merged, *rest))

    def _single_valued(self, node: Node) -> bool:
        if not isinstance(node, Cmp) or node.op not in OPS or not self.indexable(node):
            return False
        types = {i["name"]: i["type"] for i in self.indexes}
        return len(node.path) == 1 and types.get(node.path[0]) in ("string", "number")

    def where(self, node: Node, driver: Node | None = None) -> Expr:
        if isinstance(node, And):
            if not node.nodes:
                return sa.true()
            return sa.and_(*(self.where(n, driver) for n in node.nodes))
        if isinstance(node, Or):
            return sa.or_(*(self.where(n, driver) for n in node.nodes))
        if isinstance(node, Not):
            return sa.not_(self.where(node.node, driver))
        if isinstance(node, Exists):
            typ = self.ref(node.path).typ
            return typ.is_not(None) if node.present else typ.is_(None)
        if self.indexable(node) and (driver is node or index_kind(self.indexes, node.path) == "id"):
            return self._indexed(node)
        return sa.func.coalesce(self._compare(node), sa.false())

    def _compare(self, node: Cmp) -> Expr:
        if node.op == "all":
            return sa.and_(*(self._compare(Cmp(node.path, op, v)) for op, v in node.value))
        if node.op == "in":
            if not node.value:
                return sa.false()
            return sa.or_(*(self._compare(Cmp(node.path, "eq", v)) for v in node.value))
        found = self._any(node.path, lambda ref: ref.test(node.op, node.value))
        if node.op == "eq" and node.value is None:
            return sa.or_(found, self.ref(node.path).typ.is_(None))
        return found

    # -- sorting -------------------------------------------------------------------------------

    def sort_keys(self, path: tuple[str, ...]) -> tuple[Expr, Expr, Expr]:
        ref = self.ref(path)
        return ref.rank(), ref.number(), ref.string()


def driver_candidates(sql: FilterSql, node: Node) -> list[Cmp]:
    """Indexed conditions every match must satisfy (conjuncts of the top-level AND)."""
    nodes = node.nodes if isinstance(node, And) else (node,)
    return [
        n
        for n in nodes
        if isinstance(n, Cmp) and sql.indexable(n) and index_kind(sql.indexes, n.path) == "value"
    ]


def keyset_after(keys: tuple[Expr, Expr, Expr] | None, last: list[Any], descending: bool) -> Expr:
    """Rows after the cursor `last` ([rank, number, string, id] or [id]) in sort order."""

    def after(a: Any, b: Any) -> Any:
        return a < b if descending else a > b

    doc_id = documents.c.id
    if keys is None:
        return after(doc_id, last[-1])  # type: ignore[no-any-return]
    rank, number, string = keys
    r, n, s, i = last
    if r == 1:
        same: Expr = sa.or_(after(number, n), sa.and_(number == n, after(doc_id, i)))
    elif r == 2:
        same = sa.or_(after(string, s), sa.and_(string == s, after(doc_id, i)))
    else:
        same = after(doc_id, i)
    return sa.or_(after(rank, r), sa.and_(rank == r, same))


def _sort_name(sort: Sort) -> str:
    return ("-" if sort.descending else "") + ".".join(sort.path or ("id",))


def encode_cursor(values: list[Any], sort: Sort) -> str:
    return cursors.encode(f"docs:{_sort_name(sort)}", values)


def decode_cursor(cursor: str, sort: Sort) -> list[Any]:
    """(rank, number, text, id) after a sort on a path, else (id,)."""
    values = cursors.decode(cursor, f"docs:{_sort_name(sort)}", 1 if sort.path is None else 4)
    if not isinstance(values[-1], str):
        raise Invalid("the cursor is not valid")
    if sort.path is not None and values[0] not in (0, 1, 2):
        raise Invalid("the cursor is not valid")
    return values
