"""The native filter language of document collections, parsed into a small tree.

A filter is a JSON object, Mongo-like:

    {"age": {"$gte": 18, "$lt": 65}, "tags": "x", "$or": [{"name": "a"}, {"addr.city": "b"}]}

- `field: value` is `$eq`; several fields or operators are ANDed; `$and`/`$or` take lists.
- Operators: `$eq $ne $gt $gte $lt $lte $in $exists`. Paths are dotted object keys.
- Comparison values are scalars: strings, numbers, booleans, null (`$gt`… take strings or
  numbers only). Comparisons are type-strict: a number never equals or orders against a
  string, and strings order by code point.
- If the value at a path is an array, a comparison matches when the value or any element
  matches (`$ne` is the negation of `$eq`, so it also excludes arrays holding the value).
- `$eq: null` matches null and missing fields; `$exists` tests presence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from podstore.core.errors import Invalid

COMPARISONS = ("eq", "gt", "gte", "lt", "lte")
MAX_NODES = 256
MAX_IN = 1000
MAX_PATH_DEPTH = 16
Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class Cmp:
    path: tuple[str, ...]
    op: str  # eq gt gte lt lte in
    value: Any  # a scalar, or a tuple of scalars for "in"


@dataclass(frozen=True)
class Exists:
    path: tuple[str, ...]
    present: bool


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Cmp | Exists | Not | And | Or


def parse_path(text: str) -> tuple[str, ...]:
    if not isinstance(text, str) or not text or text.startswith("$"):
        raise Invalid(f"{text!r} is not a field path")
    parts = tuple(text.split("."))
    if len(parts) > MAX_PATH_DEPTH or any(
        not p or '"' in p or "\\" in p or "\x00" in p for p in parts
    ):
        raise Invalid(f"{text!r} is not a field path (dotted keys, no quotes)")
    return parts


def _scalar(value: Any, where: str, ordered: bool = False) -> Scalar:
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(f"{where}: numbers must be finite")
    if isinstance(value, str):
        if "\x00" in value:
            raise Invalid(f"{where}: strings may not contain NUL")
        return value
    if ordered:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        raise Invalid(f"{where} compares with a string or a number")
    if value is None or isinstance(value, bool | int | float):
        return value  # type: ignore[no-any-return]
    raise Invalid(f"{where} compares with a string, number, boolean or null")


class _Parser:
    def __init__(self) -> None:
        self.nodes = 0

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Invalid(f"a filter has at most {MAX_NODES} conditions")

    def filter(self, obj: Any) -> Node:
        if not isinstance(obj, dict):
            raise Invalid("a filter is a JSON object")
        nodes: list[Node] = []
        for key, value in obj.items():
            self.count()
            if key in ("$and", "$or"):
                if not isinstance(value, list) or not value:
                    raise Invalid(f"{key} takes a non-empty list of filters")
                parts = tuple(self.filter(item) for item in value)
                nodes.append(And(parts) if key == "$and" else Or(parts))
            elif isinstance(key, str) and key.startswith("$"):
                raise Invalid(f"unknown operator {key!r} at the top of a filter")
            else:
                nodes.append(self.field(parse_path(key), value))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def field(self, path: tuple[str, ...], value: Any) -> Node:
        if isinstance(value, dict):
            if not value or not all(isinstance(k, str) and k.startswith("$") for k in value):
                raise Invalid("comparing with objects is not supported; use dotted paths")
            ops = [self.operator(path, op, arg) for op, arg in value.items()]
            return ops[0] if len(ops) == 1 else And(tuple(ops))
        if isinstance(value, list):
            raise Invalid("comparing with arrays is not supported; use $in")
        return Cmp(path, "eq", _scalar(value, ".".join(path)))

    def operator(self, path: tuple[str, ...], op: str, arg: Any) -> Node:
        self.count()
        where = f"{'.'.join(path)} {op}"
        name = op[1:]
        if name in ("eq", "ne"):
            node: Node = Cmp(path, "eq", _scalar(arg, where))
            return Not(node) if name == "ne" else node
        if name in COMPARISONS:
            return Cmp(path, name, _scalar(arg, where, ordered=True))
        if name == "in":
            if not isinstance(arg, list) or len(arg) > MAX_IN:
                raise Invalid(f"{where} takes a list of at most {MAX_IN} values")
            return Cmp(path, "in", tuple(_scalar(v, where) for v in arg))
        if name == "exists":
            if not isinstance(arg, bool):
                raise Invalid(f"{where} takes true or false")
            return Exists(path, arg)
        raise Invalid(f"unknown operator {op!r}")


def parse_filter(obj: Any) -> Node:
    """The tree of a filter object; {} or None matches every document."""
    if obj is None:
        return And(())
    return _Parser().filter(obj)


@dataclass(frozen=True)
class Sort:
    path: tuple[str, ...] | None  # None: by id
    descending: bool = False


def parse_sort(value: Any) -> Sort:
    """`"age"`, `"-age"` or `{"age": 1 | -1}`; documents with equal keys follow id order."""
    if value is None or value == "":
        return Sort(None)
    if isinstance(value, str):
        desc = value.startswith("-")
        path = parse_path(value[1:] if desc else value)
        return Sort(None if path == ("id",) else path, desc)
    if isinstance(value, dict) and len(value) == 1:
        ((key, order),) = value.items()
        if order in (1, -1) and not isinstance(order, bool):
            path = parse_path(key)
            return Sort(None if path == ("id",) else path, order == -1)
    raise Invalid('sort is "field", "-field" or {"field": 1 or -1}')
