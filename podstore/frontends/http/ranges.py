"""HTTP Range parsing for downloads (RFC 9110 §14): one byte range is served; a header that
is not a valid single byte range is ignored, and the whole content is served."""

from __future__ import annotations

import re

from podstore.core.errors import RangeNotSatisfiable

# ASCII digits only: int() would also take "1_0" and other scripts' digits
_SPEC = re.compile(r"([0-9]{0,30})-([0-9]{0,30})")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end exclusive) for a satisfiable single range, None for the whole content."""
    if not header:
        return None
    unit, sep, spec = header.partition("=")
    match = _SPEC.fullmatch(spec.strip(" \t")) if sep else None
    if match is None or unit.strip(" \t").lower() != "bytes":
        return None
    first, last = match.groups()
    if first == "":
        if last == "":
            return None
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable(f"bytes */{size}")
        return max(0, size - length), size
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable(f"bytes */{size}")
    return start, min(int(last) + 1, size) if last else size
