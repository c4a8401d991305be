"""Document collections: the index spec, document validation and the rows of `doc_index`.

An index spec is FairOS's `si` string, `name=string,age=number,tags=list,addr=map`: `bytes`
is accepted and ignored (as FairOS does), any other type is refused. `id` is always indexed
(it is the documents' primary key). Every indexed field must be present in every document,
with a value of its type, as in FairOS.

Rows written per document: a string field gives (field, s); a number field (field, n); a
list field one row per string or number element; a map field FairOS's `key+value` string per
entry under the field's own name, and the entry's value under `field.key` (so the native
filter's `addr.city` uses the index too).
"""

from __future__ import annotations

import json
import math
from typing import Any

from podstore.core.errors import Invalid, PayloadTooLarge

INDEX_TYPES = ("string", "number", "list", "map")
MAX_ID_BYTES = 1024
MAX_INDEXED_BYTES = 1024
MAX_DOC_BYTES = 4 * 1024 * 1024
MAX_INDEXES = 32
MAX_DEPTH = 64
INT_LIMIT = 2**63
IndexRow = tuple[str, str | None, float | None]


def _check_field_name(name: str) -> str:
    if not name or len(name.encode("utf-8")) > 200 or any(c in name for c in ".=,\x00$"):
        raise Invalid(f"{name!r} is not a valid index field name")
    return name


def parse_spec(spec: str | None) -> list[dict[str, str]]:
    """[{name, type}] with id first, from `name=type,…`; '' or None for no extra index."""
    indexes = [{"name": "id", "type": "string"}]
    if not spec:
        return indexes
    if not isinstance(spec, str):
        raise Invalid("indexes is a string like 'name=string,age=number'")
    seen = {"id"}
    for pair in spec.split(","):
        name, sep, kind = pair.strip().partition("=")
        if not sep or not name.strip() or not kind.strip():
            raise Invalid(f"index spec: {pair!r} is not name=type")
        name, kind = _check_field_name(name.strip()), kind.strip().lower()
        if kind == "bytes":
            continue
        if kind not in INDEX_TYPES:
            raise Invalid(f'invalid "indexType" {kind!r}: one of {", ".join(INDEX_TYPES)}')
        if name in seen:
            if name == "id" and kind == "string":
                continue
            raise Invalid(f"the field {name!r} is indexed twice")
        seen.add(name)
        indexes.append({"name": name, "type": kind})
    if len(indexes) > MAX_INDEXES:
        raise Invalid(f"a collection has at most {MAX_INDEXES} indexes")
    return indexes


def _check_value(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise Invalid("the document is nested too deeply")
    if isinstance(value, str):
        if "\x00" in value:
            raise Invalid("strings in documents may not contain NUL")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not -INT_LIMIT < value < INT_LIMIT:
            raise Invalid("numbers in documents must fit in 64 bits")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid("numbers in documents must be finite")
    elif isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or "\x00" in key:
                raise Invalid("keys in documents may not contain NUL")
            _check_value(item, depth + 1)
    else:
        raise Invalid(f"a document may not hold a {type(value).__name__}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar_row(field: str, value: Any) -> IndexRow | None:
    if isinstance(value, str):
        if len(value.encode("utf-8")) > MAX_INDEXED_BYTES:
            raise Invalid(f"indexed values may be at most {MAX_INDEXED_BYTES} bytes ({field!r})")
        return (field, value, None)
    if _is_number(value):
        return (field, None, float(value))
    return None


def _scalar_rows(field: str, value: Any) -> list[IndexRow]:
    items = value if isinstance(value, list) else [value]
    return [row for item in items if (row := _scalar_row(field, item)) is not None]


def validate_document(doc: Any, indexes: list[dict[str, str]]) -> str:
    """The document's id, after checking its shape, size and indexed fields."""
    if not isinstance(doc, dict):
        raise Invalid("a document is a JSON object")
    doc_id = doc.get("id")
    if not isinstance(doc_id, str) or doc_id == "":
        raise Invalid("a document needs a non-empty string id")
    if len(doc_id.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        raise Invalid(f"an id may be at most {MAX_ID_BYTES} bytes")
    _check_value(doc)
    try:
        size = len(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    except UnicodeEncodeError:
        raise Invalid("the document is not valid UTF-8") from None
    if size > MAX_DOC_BYTES:
        raise PayloadTooLarge(f"a document may be at most {MAX_DOC_BYTES} bytes")
    for index in indexes[1:]:
        name, kind = index["name"], index["type"]
        if name not in doc:
            raise Invalid(f"the indexed field {name!r} is not present in the document")
        value = doc[name]
        ok = {
            "string": isinstance(value, str),
            "number": _is_number(value),
            "list": isinstance(value, list),
            "map": isinstance(value, dict),
        }[kind]
        if not ok:
            raise Invalid(f"the indexed field {name!r} must be a {kind}")
    return doc_id


def index_rows(doc: dict[str, Any], indexes: list[dict[str, str]]) -> list[IndexRow]:
    """The (field, s, n) rows of a validated document."""
    rows: list[IndexRow] = []
    for index in indexes[1:]:
        name, kind = index["name"], index["type"]
        value = doc[name]
        if kind in ("string", "number", "list"):
            rows.extend(_scalar_rows(name, value))
            continue
        for key, item in value.items():
            if isinstance(item, str):
                rows.extend(_scalar_rows(name, key + item))
            if key and "." not in key:
                rows.extend(_scalar_rows(f"{name}.{key}", item))
    return rows


def index_kind(indexes: list[dict[str, str]], path: tuple[str, ...]) -> str | None:
    """Which index serves a native filter path: 'id', 'value' (doc_index) or None."""
    types = {i["name"]: i["type"] for i in indexes}
    if path == ("id",):
        return "id"
    if len(path) == 1 and types.get(path[0]) in ("string", "number", "list"):
        return "value"
    if len(path) == 2 and types.get(path[0]) == "map" and path[1]:
        return "value"
    return None
