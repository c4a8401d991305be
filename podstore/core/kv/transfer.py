"""Import and export formats of KV tables: CSV (header row, first column is the key; the
value is the whole record) and JSON lines (`{"key": …, "value": "text"}` or
`{"key": …, "value_b64": "…"}`).

Parsing never touches the database: it yields rows and per-line errors, and the caller
decides whether one error rejects the whole import (atomic) or is reported (row by row).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from podstore.core.errors import Invalid

Format = Literal["csv", "jsonl"]
MAX_REPORTED_ERRORS = 100


@dataclass
class Parsed:
    rows: list[tuple[int, str, bytes]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    failed: int = 0
    columns: list[str] | None = None

    def error(self, line: int, message: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"line": line, "error": message})


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"the file is not UTF-8 (byte {exc.start})") from None


def _record(fields: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(fields)  # quotes fields with CR or LF
    return out.getvalue()[:-2].encode("utf-8")


def parse_csv(data: bytes) -> Parsed:
    parsed = Parsed()
    reader = csv.reader(io.StringIO(_text(data), newline=""))
    try:
        for fields in reader:
            if not fields or fields == [""]:
                continue
            if parsed.columns is None:
                parsed.columns = fields
                continue
            if fields[0] == "":
                parsed.error(reader.line_num, "the key (first column) is empty")
                continue
            parsed.rows.append((reader.line_num, fields[0], _record(fields)))
    except csv.Error as exc:
        parsed.error(reader.line_num, f"bad CSV: {exc}")
    if parsed.columns is None:
        raise Invalid("the CSV file has no header row")
    return parsed


def _jsonl_row(obj: Any) -> tuple[str, bytes]:
    if not isinstance(obj, dict):
        raise ValueError("each line is a JSON object with key and value")
    key = obj.get("key")
    if isinstance(key, bool) or not isinstance(key, str | int | float):
        raise ValueError("key is a string or a number")
    if "value_b64" in obj:
        if not isinstance(obj["value_b64"], str):
            raise ValueError("value_b64 is a base64 string")
        try:
            value = base64.b64decode(obj["value_b64"], validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("value_b64 is not valid base64") from None
    elif isinstance(obj.get("value"), str):
        value = obj["value"].encode("utf-8")
    elif "value" in obj:
        value = json.dumps(obj["value"], separators=(",", ":")).encode()
    else:
        raise ValueError("a line needs value or value_b64")
    return str(key), value


def parse_jsonl(data: bytes) -> Parsed:
    parsed = Parsed()
    for number, line in enumerate(_text(data).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            key, value = _jsonl_row(json.loads(line))
        except ValueError as exc:
            message = f"bad JSON: {exc}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            parsed.error(number, message)
            continue
        parsed.rows.append((number, key, value))
    return parsed


def parse(data: bytes, fmt: str) -> Parsed:
    if fmt == "csv":
        return parse_csv(data)
    if fmt == "jsonl":
        return parse_jsonl(data)
    raise Invalid("format is csv or jsonl")


def export_lines(
    fmt: str, columns: list[str] | None, rows: Iterator[tuple[str, bytes]]
) -> Iterator[bytes]:
    """The lines of an export, each ending with a newline."""
    if fmt == "csv":
        yield _record(columns or ["key", "value"]) + b"\n"
        for key, value in rows:
            if columns:
                yield value + b"\n"
            else:
                yield _record([key, value.decode("utf-8", "replace")]) + b"\n"
        return
    for key, value in rows:
        try:
            item: dict[str, str] = {"key": key, "value": value.decode("utf-8")}
        except UnicodeDecodeError:
            item = {"key": key, "value_b64": base64.b64encode(value).decode()}
        yield json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n"
