"""The one codec for opaque page cursors: KV scans, folder listings and document finds.

A cursor is base64url JSON `[kind, *values]`. `kind` names what the cursor continues (and
its sort order), so a cursor handed to another query, or edited, is refused as Invalid
rather than answering from the wrong place.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from podstore.core.errors import Invalid

MAX_CURSOR = 4096


def encode(kind: str, values: list[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, kind: str, size: int) -> list[Any]:
    """The `size` values of a cursor made by `encode(kind, ...)`, or Invalid."""
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
        raise Invalid("the cursor is not valid")
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise Invalid("the cursor is not valid") from None
    if not isinstance(values, list) or len(values) != size + 1:
        raise Invalid("the cursor is not valid")
    if values[0] != kind:
        raise Invalid("the cursor belongs to another query or sort order")
    return values[1:]
