"""The one cursor codec: round trips, and every tampered or misplaced cursor is Invalid."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podstore.core import cursors
from podstore.core.docs.filters import Sort
from podstore.core.docs.sql import decode_cursor as decode_doc_cursor
from podstore.core.docs.sql import encode_cursor as encode_doc_cursor
from podstore.core.errors import Invalid
from podstore.core.kv.keys import decode_cursor as decode_kv_cursor
from podstore.core.kv.keys import encode_cursor as encode_kv_cursor

VALUES = st.lists(
    st.one_of(st.integers(), st.text(), st.floats(allow_nan=False), st.none()), max_size=4
)


@given(kind=st.text(max_size=20), values=VALUES)
def test_round_trip(kind: str, values: list[object]) -> None:
    assert cursors.decode(cursors.encode(kind, values), kind, len(values)) == values


@given(garbage=st.text(max_size=200))
def test_garbage_is_invalid_never_an_exception_of_another_kind(garbage: str) -> None:
    with contextlib.suppress(Invalid):
        cursors.decode(garbage, "list:name", 2)


def test_a_cursor_of_another_query_or_size_is_refused() -> None:
    cursor = cursors.encode("list:name", ["b", "b"])
    with pytest.raises(Invalid, match="another"):
        cursors.decode(cursor, "list:size", 2)
    with pytest.raises(Invalid):
        cursors.decode(cursor, "list:name", 3)


def test_document_cursor_checks_its_rank() -> None:
    sort = Sort(path=("age",), descending=False)
    good = encode_doc_cursor([1, 20.0, "", "doc-1"], sort)
    assert decode_doc_cursor(good, sort) == [1, 20.0, "", "doc-1"]
    forged = base64.urlsafe_b64encode(
        json.dumps(["docs:age", 7, 20.0, "", "doc-1"]).encode()
    ).decode()
    with pytest.raises(Invalid):
        decode_doc_cursor(forged, sort)


def test_kv_cursor_round_trip_and_bad_hex() -> None:
    assert decode_kv_cursor(encode_kv_cursor(b"\x00\x01key")) == b"\x00\x01key"
    with pytest.raises(Invalid):
        decode_kv_cursor(cursors.encode("kv", ["zz"]))
    with pytest.raises(Invalid):
        decode_kv_cursor(cursors.encode("kv", [""]))
