"""A listing the core renders as JSON equals, key for key and type for type, the native API's
shape of `list`'s records (`shapes_tree.node`), for every sort, order, page and cursor."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podstore.core.context import Actor, iso
from podstore.core.tree import rendered
from podstore.frontends.native import shapes_tree as shape
from podstore.meta.schema import nodes, stars
from tests.core.conftest import Harness

POD = "home"
SORTS = ("name", "size", "modified", "type")
FIRST_YEAR = -62_135_596_800  # 0001-01-01T00:00:00Z, the first second `iso` writes
LATEST = 253_402_300_799  # 9999-12-31T23:59:59Z, the last


@dataclass
class Entry:
    name: str
    kind: str
    size: int
    modified: float
    created: float
    content_type: str | None
    version_id: str | None
    starred: bool


# PostgreSQL's text holds no NUL, and neither database a lone surrogate
TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
NAMES = st.one_of(
    st.text(TEXT, min_size=1, max_size=12),
    st.sampled_from(['"', "\\", '\\"', "\x01", "\x1f", "\x7f", "😀", "\u2028", 'a"b\\c\n\t']),
)
# just under, at and just over the half microsecond and the next second, either sign
FRACTIONS = st.sampled_from(
    [
        *(0.0, 0.25, 0.5, 1e-7, 4.999999e-7, 5e-7, 5.000001e-7, 0.9999995, 0.99999949999),
        *(0.9999999, 0.99999951, -5e-7, -0.9999995, -0.4999995, -1e-7),
    ]
)
TIMES = st.one_of(
    st.floats(min_value=FIRST_YEAR, max_value=LATEST, exclude_max=True),
    st.builds(lambda s, f: s + f, st.integers(FIRST_YEAR + 1, LATEST - 1), FRACTIONS),
    st.builds(lambda s, f: s + f, st.integers(-(10**10), 2 * 10**9), FRACTIONS),
    # j/128 s is a whole number of microseconds and a half: rounded half to even
    st.builds(lambda s, j: s + j / 128, st.integers(-(10**10), 4 * 10**9), st.integers(-127, 127)),
).filter(lambda t: FIRST_YEAR <= t < LATEST)  # sums may round onto the bounds
ENTRIES = st.builds(
    Entry,
    name=NAMES,
    kind=st.sampled_from(["file", "dir"]),
    size=st.one_of(st.integers(0, 3), st.integers(0, 2**63 - 1)),  # ties break by name
    modified=TIMES,
    created=st.one_of(st.just(None), TIMES),  # None: the same as modified
    content_type=st.one_of(st.none(), st.text(TEXT, max_size=8)),
    version_id=st.one_of(st.none(), st.uuids().map(str)),
    starred=st.booleans(),
)
FOLDERS = st.lists(ENTRIES, max_size=12, unique_by=lambda e: e.name)


def fill(harness: Harness, actor: Actor, entries: list[Entry]) -> str:
    """A new folder holding `entries` (rows written straight into the tables); its path."""
    path = f"f-{uuid.uuid4().hex}"
    folder = harness.run(harness.core.tree.mkdir(actor, POD, path))

    def write(conn: sa.Connection) -> None:
        pod_id = conn.execute(sa.select(nodes.c.pod_id).where(nodes.c.id == folder.id)).scalar()
        for e in entries:
            node_id = str(uuid.uuid4())
            conn.execute(
                nodes.insert().values(
                    id=node_id,
                    pod_id=pod_id,
                    parent_id=folder.id,
                    name=e.name,
                    kind=e.kind,
                    size=e.size,
                    content_type=e.content_type,
                    version_id=e.version_id,
                    modified_at=e.modified,
                    created_at=e.modified if e.created is None else e.created,
                )
            )
            if e.starred:
                conn.execute(
                    stars.insert().values(user_id=actor.user_id, node_id=node_id, created_at=0)
                )

    harness.core.ctx.db.write_sync(write)
    return path


def strict(value: Any) -> str:
    """JSON text that tells 1 from 1.0 and from true, and keeps the keys' order."""
    return json.dumps(value, ensure_ascii=False)


def pages_agree(
    harness: Harness,
    actor: Actor,
    path: str,
    fields: rendered.Fields,
    sort: str,
    order: str,
    limit: int,
) -> int:
    """Page through the folder both ways, comparing each page; the number of pages."""
    cursor, pages = None, 0
    while True:
        page = {"sort": sort, "order": order, "limit": limit, "cursor": cursor}
        records = harness.run(harness.core.tree.list(actor, POD, path, **page))
        text = harness.run(harness.core.tree.list_rendered(actor, POD, path, fields, **page))
        expected = [shape.node(e) for e in records.entries]
        assert strict(json.loads(text.entries)) == strict(expected), (sort, order, limit)
        assert text.next_cursor == records.next_cursor
        pages += 1
        cursor = records.next_cursor
        if cursor is None:
            return pages


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=FOLDERS, data=st.data())
def test_rendered_pages_equal_the_shaped_records(
    harness: Harness, actor: Actor, entries: list[Entry], data: st.DataObject
) -> None:
    path = fill(harness, actor, entries)
    for sort in SORTS:
        for order in ("asc", "desc"):
            limit = data.draw(st.integers(1, len(entries) + 1), label=f"limit {sort} {order}")
            pages = pages_agree(harness, actor, path, shape.NODE_FIELDS, sort, order, limit)
            assert pages == max(1, -(-len(entries) // limit))


def python_stamp(ts: float) -> str | None:
    try:
        return iso(ts)
    except (ValueError, OverflowError):
        return None


UNWRITABLE = st.sampled_from([FIRST_YEAR - 1.0, FIRST_YEAR - 0.5, LATEST + 1.0, 1e300, -1e300])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(st.tuples(st.one_of(TIMES, UNWRITABLE), TIMES), min_size=1, max_size=4))
def test_the_database_keeps_the_stamps_of_changed_times(
    harness: Harness, actor: Actor, changes: list[tuple[float, float]]
) -> None:
    """However a node's times change, its stamps are what `iso` writes (null where it cannot),
    and the listing shows them."""
    path = fill(harness, actor, [Entry("n", "file", 1, 1.7e9, 1.6e9, None, None, False)])
    folder = harness.run(harness.core.tree.stat(actor, POD, path))
    for modified, created in changes:

        def change(
            conn: sa.Connection, modified: float = modified, created: float = created
        ) -> tuple[str | None, str | None]:
            where = nodes.c.parent_id == folder.id
            conn.execute(nodes.update().where(where).values(modified_at=modified))
            conn.execute(nodes.update().where(where).values(created_at=created))
            row = conn.execute(
                sa.select(nodes.c.modified_stamp, nodes.c.created_stamp).where(where)
            )
            return tuple(row.one())  # type: ignore[return-value]

        stamps = harness.core.ctx.db.write_sync(change)
        assert stamps == (python_stamp(modified), python_stamp(created))
        if stamps[0] is not None:
            pages_agree(harness, actor, path, shape.NODE_FIELDS, "name", "asc", 10)


@pytest.mark.parametrize("stamp", [LATEST + 1.0, LATEST + 0.9999999, 1e15, float("inf")])
def test_times_iso_cannot_write_fail_alike(harness: Harness, actor: Actor, stamp: float) -> None:
    path = fill(harness, actor, [Entry("x", "file", 1, stamp, 1.7e9, None, None, False)])
    records = harness.run(harness.core.tree.list(actor, POD, path))
    with pytest.raises(Exception) as python:
        shape.node(records.entries[0])
    with pytest.raises(python.type):
        harness.run(harness.core.tree.list_rendered(actor, POD, path, shape.NODE_FIELDS))


@pytest.mark.parametrize(
    "fields",
    [
        (("n", "name"), ('k"\\', "kind"), ("s", "size"), ("m", "mode"), ("c", "created_at")),
        (("c", "created_at"), ("t", "modified_at"), ("star", "starred")),
        (("t", "modified_at"), ("c", "created_at")),
        (("n", "name"), ("c", "created_at"), ("ct", "content_type"), ("p", "parent_id")),
        (("s", "size"),),
    ],
)
def test_any_keys_and_fields(harness: Harness, actor: Actor, fields: rendered.Fields) -> None:
    path = fill(harness, actor, [Entry('q"', "dir", 7, 1.5, 2.25, "t", None, True)])
    record = harness.run(harness.core.tree.list(actor, POD, path)).entries[0]
    stamps = {
        "created_at": "1970-01-01T00:00:02.250000Z",
        "modified_at": "1970-01-01T00:00:01.500000Z",
    }
    expected = {key: stamps.get(field, getattr(record, field)) for key, field in fields}
    got = harness.run(harness.core.tree.list_rendered(actor, POD, path, fields))
    assert strict(json.loads(got.entries)) == strict([expected])
    assert expected.get("s", 0) == 0 and expected.get("star", True) is True  # a starred folder


def test_times_apart_are_refused(harness: Harness, actor: Actor) -> None:
    fields = (("m", "modified_at"), ("n", "name"), ("c", "created_at"))
    with pytest.raises(ValueError, match="next to each other"):
        harness.run(harness.core.tree.list_rendered(actor, POD, "", fields))


def test_a_field_it_cannot_render_is_refused(harness: Harness, actor: Actor) -> None:
    with pytest.raises(ValueError, match="path"):
        harness.run(harness.core.tree.list_rendered(actor, POD, "", (("p", "path"),)))


def test_native_fields_are_the_keys_of_node(harness: Harness, actor: Actor) -> None:
    folder = harness.run(harness.core.tree.mkdir(actor, POD, f"k-{uuid.uuid4().hex}"))
    assert [key for key, _ in shape.NODE_FIELDS] == list(shape.node(folder))
