"""KV keys: validation and the order-preserving byte encoding stored as `key_sort`.

String and bytes tables order keys by their UTF-8 bytes (which is code point order). Number
tables order keys numerically, negatives and decimals included: the float64 is stored
big-endian with the sign bit flipped (positives) or all bits flipped (negatives), so byte
order is numeric order. FairOS zero-pads numbers as text, which sorts -2 after -1; this
does not.
"""

from __future__ import annotations

import math
import re
import struct
from typing import Literal, get_args

from podstore.core import cursors
from podstore.core.errors import Invalid

IndexType = Literal["string", "number", "bytes"]
INDEX_TYPES: tuple[str, ...] = get_args(IndexType)
MAX_KEY_BYTES = 1024
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SIGN = 1 << 63


def check_index_type(value: str) -> IndexType:
    if value not in INDEX_TYPES:
        raise Invalid(f"index_type is one of {', '.join(INDEX_TYPES)}")
    return value  # type: ignore[return-value]


def parse_number(text: str) -> float:
    """A key of a number table as a finite float, or Invalid."""
    if not isinstance(text, str) or not _NUMBER.match(text.strip()):
        raise Invalid(f"the key {text!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise Invalid(f"the key {text!r} is out of range")
    return 0.0 if value == 0 else value


def number_text(value: float) -> str:
    """The canonical text of a number key: integers without a fraction."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def encode_number(value: float) -> bytes:
    (bits,) = struct.unpack(">Q", struct.pack(">d", value))
    bits = (~bits & 0xFFFFFFFFFFFFFFFF) if bits & _SIGN else bits | _SIGN
    return struct.pack(">Q", bits)


def decode_number(raw: bytes) -> float:
    (bits,) = struct.unpack(">Q", raw)
    bits = bits & ~_SIGN if bits & _SIGN else ~bits & 0xFFFFFFFFFFFFFFFF
    value: float = struct.unpack(">d", struct.pack(">Q", bits))[0]
    return value


def encode_key(index_type: str, key: str) -> tuple[bytes, str]:
    """(sort bytes, stored text) of a key, or Invalid."""
    if not isinstance(key, str) or key == "":
        raise Invalid("a key is a non-empty string")
    if "\x00" in key:
        raise Invalid("a key may not contain NUL")
    if index_type == "number":
        value = parse_number(key)
        return encode_number(value), number_text(value)
    try:
        raw = key.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("a key must be valid UTF-8") from None
    if len(raw) > MAX_KEY_BYTES:
        raise Invalid(f"a key may be at most {MAX_KEY_BYTES} bytes")
    return raw, key


def encode_bound(index_type: str, key: str | None) -> bytes | None:
    """A range bound; '' or None means open."""
    if key is None or key == "":
        return None
    return encode_key(index_type, key)[0]


def encode_cursor(key_sort: bytes) -> str:
    return cursors.encode("kv", [key_sort.hex()])


def decode_cursor(cursor: str) -> bytes:
    (hex_key,) = cursors.decode(cursor, "kv", 1)
    try:
        raw = bytes.fromhex(hex_key)
    except (ValueError, TypeError):
        raise Invalid("the cursor is not valid") from None
    if not raw or len(raw) > MAX_KEY_BYTES:
        raise Invalid("the cursor is not valid")
    return raw
