"""validate_name: the one gate for blob names in every store."""

from __future__ import annotations

import pytest

from podstore.storage.blobstore import validate_name
from podstore.storage.errors import InvalidName

GOOD = [
    "a",
    "0" * 64,
    "ab/cd",
    "chunks/ab12",
    "x-y_z.1",
    "a.b.c",
    "a" * 128,
    "/".join(["abc"] * 64),
]
BAD = [
    "",
    ".",
    "..",
    "../x",
    "a/../b",
    "a/./b",
    "/x",
    "x/",
    "a//b",
    "A",
    "aB",
    "a\0b",
    "a\nb",
    "ab\n",
    "é",
    "a b",
    "a\\b",
    ".hidden",
    "a/.tmp-1",
    "a" * 129,
    "/".join(["abc"] * 65),  # 259 > the 255 limit
    "a:b",
    "a%2f",
]


@pytest.mark.parametrize("name", GOOD)
def test_accepts(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize("name", BAD)
def test_rejects(name: str) -> None:
    with pytest.raises(InvalidName):
        validate_name(name)


def test_rejects_non_strings() -> None:
    with pytest.raises(InvalidName):
        validate_name(b"abc")  # type: ignore[arg-type]
