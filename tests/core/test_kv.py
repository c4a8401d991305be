"""KV tables in the core: key encoding, ordering, range edges, imports and access."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podstore.core.context import Actor
from podstore.core.errors import Invalid, NotFound, PayloadTooLarge, PermissionDenied
from podstore.core.kv.keys import decode_number, encode_key, encode_number, number_text
from tests.core.conftest import Harness

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(st.lists(finite, min_size=2, max_size=50))
def test_number_encoding_orders_like_numbers(values: list[float]) -> None:
    by_bytes = sorted(values, key=encode_number)
    assert by_bytes == sorted(values) or [v + 0.0 for v in by_bytes] == sorted(values)


@given(finite)
def test_number_encoding_round_trips(value: float) -> None:
    assert decode_number(encode_number(value)) == value


def test_number_keys_are_canonical() -> None:
    assert encode_key("number", "1.0") == encode_key("number", "1")
    assert encode_key("number", "-0")[1] == "0"
    assert number_text(1e300) == "1e+300"
    assert encode_key("number", "2.50")[1] == "2.5"
    for bad in ("abc", "nan", "inf", "1e999", "0x10", "", "1_000"):
        with pytest.raises(Invalid):
            encode_key("number", bad)
    assert math.isclose(decode_number(encode_key("number", "-1e-5")[0]), -1e-5)


def scan_keys(harness: Harness, actor: Actor, table: str, **kw: object) -> list[str]:
    page = harness.run(harness.core.kv.scan(actor, "home", table, **kw))  # type: ignore[arg-type]
    return [entry.key for entry in page.entries]


def test_range_edges_unicode_and_sizes(harness: Harness, actor: Actor) -> None:
    kv = harness.core.kv
    harness.run(kv.create(actor, "home", "t", "string"))
    keys = ["a", "aa", "ab", "b", "ä", "日本", "😀", "Z", "z"]
    harness.run(kv.put_many(actor, "home", "t", [(k, k.encode()) for k in keys]))
    assert scan_keys(harness, actor, "t") == sorted(keys)
    assert scan_keys(harness, actor, "t", start="a", end="b") == ["a", "aa", "ab"]
    assert scan_keys(harness, actor, "t", start="aa", end="ab") == ["aa"]
    assert scan_keys(harness, actor, "t", start="ä") == ["ä", "日本", "😀"]
    assert scan_keys(harness, actor, "t", end="a") == ["Z"]
    harness.run(kv.put(actor, "home", "t", "empty", b""))
    assert harness.run(kv.get(actor, "home", "t", "empty")) == b""
    big = random.randbytes(1024 * 1024)
    harness.run(kv.put(actor, "home", "t", "big", big))
    assert harness.run(kv.get(actor, "home", "t", "big")) == big
    with pytest.raises(PayloadTooLarge):
        harness.run(kv.put(actor, "home", "t", "huge", b"x" * (16 * 1024 * 1024 + 1)))
    with pytest.raises(Invalid):
        harness.run(kv.put(actor, "home", "t", "nul\x00", b""))
    assert harness.run(kv.present(actor, "home", "t", "日本"))
    assert not harness.run(kv.present(actor, "home", "t", "nope"))


def test_seek_and_next_on_top_of_scan(harness: Harness, actor: Actor) -> None:
    """FairOS seek(start, end, limit) + next, one entry at a time, until exhausted."""
    kv = harness.core.kv
    harness.run(kv.create(actor, "home", "n", "number"))
    numbers = [-20, -3.5, -3, -1, 0, 0.25, 2, 11, 100]
    harness.run(kv.put_many(actor, "home", "n", [(str(x), b"") for x in numbers]))
    got, cursor = [], None
    while len(got) < 5:
        page = harness.run(kv.scan(actor, "home", "n", "-3.5", "100", 1, cursor))
        if not page.entries:
            break
        got.append(page.entries[0].key)
        cursor = page.next
        if cursor is None:
            break
    assert got == ["-3.5", "-3", "-1", "0", "0.25"]


def test_failed_import_leaves_the_table_as_it_was(harness: Harness, actor: Actor) -> None:
    kv = harness.core.kv
    harness.run(kv.create(actor, "home", "n", "number"))
    harness.run(kv.put(actor, "home", "n", "1", b"old"))
    bad = b'{"key": 2, "value": "two"}\n{"key": "x", "value": "bad"}\n{"key": 1, "value": "new"}\n'
    with pytest.raises(Invalid, match="line 2"):
        harness.run(kv.import_data(actor, "home", "n", bad, "jsonl"))
    assert scan_keys(harness, actor, "n") == ["1"]
    assert harness.run(kv.get(actor, "home", "n", "1")) == b"old"
    report = harness.run(kv.import_data(actor, "home", "n", bad, "jsonl", mode="rows"))
    assert (report.total, report.loaded, report.failed) == (3, 2, 1)
    assert harness.run(kv.get(actor, "home", "n", "1")) == b"new"


def test_csv_import_quirks(harness: Harness, actor: Actor) -> None:
    kv = harness.core.kv
    harness.run(kv.create(actor, "home", "c", "string"))
    data = b'key,a,b\r\nk1,"x, y",2\r\n\r\nk2,"multi\nline",3'
    report = harness.run(kv.import_data(actor, "home", "c", data, "csv"))
    assert report.loaded == 2
    assert harness.run(kv.get(actor, "home", "c", "k1")) == b'k1,"x, y",2'
    assert harness.run(kv.get(actor, "home", "c", "k2")) == b'k2,"multi\nline",3'
    assert harness.run(kv.stat(actor, "home", "c")).columns == ["key", "a", "b"]
    with pytest.raises(Invalid):
        harness.run(kv.import_data(actor, "home", "c", b"", "csv"))


def test_access_rules(harness: Harness, actor: Actor) -> None:
    kv = harness.core.kv
    harness.run(kv.create(actor, "home", "t", "bytes"))
    harness.run(kv.put(actor, "home", "t", "k", b"v"))
    viewer = harness.new_actor(pod=None)
    harness.add_member(actor, "home", viewer, "viewer", "shared")
    assert harness.run(kv.get(viewer, "shared", "t", "k")) == b"v"
    with pytest.raises(PermissionDenied):
        harness.run(kv.put(viewer, "shared", "t", "k", b"w"))
    with pytest.raises(PermissionDenied):
        harness.run(kv.delete_table(viewer, "shared", "t"))
    stranger = harness.new_actor()
    with pytest.raises(NotFound):
        harness.run(kv.get(stranger, "home", "t", "k"))
    assert harness.run(kv.tables(stranger, "home")) == []
    harness.run(kv.delete_table(actor, "home", "t"))
    with pytest.raises(NotFound):
        harness.run(kv.get(actor, "home", "t", "k"))
