"""Range header parsing."""

from __future__ import annotations

import pytest

from podstore.core.errors import RangeNotSatisfiable
from podstore.frontends.http.ranges import parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("items=0-1", None),
        ("bytes=0-0", (0, 1)),
        ("bytes=5-", (5, 100)),
        ("bytes=-10", (90, 100)),
        ("bytes=-500", (0, 100)),
        ("bytes=90-200", (90, 100)),
        ("bytes=0-1,5-6", None),
        ("bytes=abc", None),
        ("bytes=5-2", None),
        ("bytes=x-y", None),
        # invalid headers are ignored (RFC 9110 §14.2): the whole content
        ("bytes=1_0-2_0", None),
        ("bytes=_1-", None),
        ("bytes=-1_0", None),
        ("bytes=\u0661-\u0662", None),  # Arabic-Indic digits, which int() also takes
        ("bytes=+1-2", None),
        ("bytes= 1-2", (1, 3)),
        ("BYTES=1-2", (1, 3)),
        ("bytes=-", None),
        ("bytes=" + "9" * 40 + "-", None),
    ],
)
def test_parse(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=150-160", "bytes=-0"])
def test_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 100)


@pytest.mark.parametrize("header", ["bytes=-5", "bytes=0-", "bytes=0-0"])
def test_no_range_of_an_empty_file_is_satisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 0)
