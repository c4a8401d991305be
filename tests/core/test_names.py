"""The one name validator."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podstore.core.errors import Invalid
from podstore.core.names import (
    decode_name,
    decode_text,
    split_path,
    validate_name,
    validate_password,
    validate_user_name,
)


@pytest.mark.parametrize(
    "bad", ["", ".", "..", "a/b", "a\x00b", "x" * 256, "é" * 128, "tab\there", "\udcff"]
)
def test_bad_names(bad: str) -> None:
    with pytest.raises(Invalid):
        validate_name(bad)


def test_names_are_nfc_and_limited_by_bytes() -> None:
    assert validate_name("cafe\u0301") == "caf\u00e9"
    assert validate_name("x" * 255) == "x" * 255
    assert validate_name("ümlaut ok.txt") == "ümlaut ok.txt"


def test_split_path() -> None:
    assert split_path("") == []
    assert split_path("/") == []
    assert split_path("/a//b/") == ["a", "b"]
    with pytest.raises(Invalid):
        split_path("a/../b")
    with pytest.raises(Invalid):
        split_path("/".join(["d"] * 300))


@given(st.text(min_size=1, max_size=40))
def test_valid_names_never_contain_separators(name: str) -> None:
    try:
        result = validate_name(name)
    except Invalid:
        return
    assert "/" not in result and "\x00" not in result and result not in (".", "..")
    assert len(result.encode()) <= 255


def test_user_names_and_passwords() -> None:
    assert validate_user_name("alice-1") == "alice-1"
    for bad in ("Alice", "a", "-x", "a b", "a" * 64):
        with pytest.raises(Invalid):
            validate_user_name(bad)
    with pytest.raises(Invalid):
        validate_password("short")
    assert validate_password("twelve chars") == "twelve chars"


@pytest.mark.parametrize(
    "raw", [b"\xff", b"\xfe", b"\xc0\xae", b"\xed\xa0\x80", b"a\nb", b"\x7f", b"\xc2\x85"]
)
def test_wire_text_is_strict_utf8_without_control_characters(raw: bytes) -> None:
    with pytest.raises(Invalid):
        decode_text(raw)


def test_different_bytes_never_decode_to_the_same_name() -> None:
    assert decode_text("/pods/é/a b".encode()) == "/pods/é/a b"
    assert decode_name("cafe\u0301".encode()) == "caf\u00e9"
    for bad in (b"", b"a/b", b"..", b"\xff"):
        with pytest.raises(Invalid):
            decode_name(bad)
