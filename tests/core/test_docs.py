"""Document collections in the core: index specs, validation, replacement, queries, access."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from podstore.core.context import Actor
from podstore.core.docs.indexes import parse_spec
from podstore.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from podstore.core.records import DocStored
from tests.core.conftest import Harness


def test_index_spec_like_fairos() -> None:
    spec = parse_spec("first_name=string,age=number,tags=list,addr=map,pic=bytes")
    assert spec == [
        {"name": "id", "type": "string"},
        {"name": "first_name", "type": "string"},
        {"name": "age", "type": "number"},
        {"name": "tags", "type": "list"},
        {"name": "addr", "type": "map"},
    ]
    assert parse_spec("") == parse_spec(None) == [{"name": "id", "type": "string"}]
    for bad in ("age=float", "age", "=string", "a=string,a=number", "a.b=string", "age=,"):
        with pytest.raises(Invalid):
            parse_spec(bad)


@pytest.fixture
def coll(harness: Harness, actor: Actor) -> Actor:
    harness.run(harness.core.docs.create(actor, "home", "c", "name=string,age=number,tags=list"))
    return actor


def ids(harness: Harness, actor: Actor, **kw: object) -> list[str]:
    page = harness.run(harness.core.docs.find(actor, "home", "c", **kw))  # type: ignore[arg-type]
    return [d["id"] for d in page.docs]


def test_put_validates_and_replaces(harness: Harness, coll: Actor) -> None:
    docs = harness.core.docs
    base = {"id": "a", "name": "Ann", "age": 3, "tags": ["x"]}
    assert harness.run(docs.put(coll, "home", "c", base)) == DocStored("a", True)
    with pytest.raises(Conflict):
        harness.run(docs.create(coll, "home", "c"))
    bad_docs = [
        {"name": "no id", "age": 1, "tags": []},
        {**base, "id": ""},
        {**base, "id": 7},
        {**base, "age": "3"},
        {**base, "age": True},
        {**base, "tags": "x"},
        {k: v for k, v in base.items() if k != "name"},
        {**base, "name": "x" * 2000},
        {**base, "big": 2**70},
        {**base, "bad": float("inf")},
        [base],
    ]
    for bad in bad_docs:
        with pytest.raises(Invalid):
            harness.run(docs.put(coll, "home", "c", bad))
    replaced = harness.run(docs.put(coll, "home", "c", {**base, "name": "Bea", "tags": ["y"]}))
    assert replaced == DocStored("a", False)
    assert ids(harness, coll, filter={"name": "Ann"}) == []
    assert ids(harness, coll, filter={"tags": "x"}) == []
    assert ids(harness, coll, filter={"tags": "y"}) == ["a"]
    harness.run(docs.delete(coll, "home", "c", "a"))
    assert ids(harness, coll, filter={"tags": "y"}) == []
    with pytest.raises(NotFound):
        harness.run(docs.get(coll, "home", "c", "a"))


def test_unicode_ids_and_sort_with_cursor(harness: Harness, coll: Actor) -> None:
    docs = harness.core.docs
    people = [("ö", 5), ("a", 5), ("Z", -1), ("日本", 2.5), ("b", 10)]
    for doc_id, age in people:
        harness.run(
            docs.put(coll, "home", "c", {"id": doc_id, "name": doc_id, "age": age, "tags": []})
        )
    assert ids(harness, coll) == ["Z", "a", "b", "ö", "日本"]
    assert ids(harness, coll, sort="-age") == ["b", "ö", "a", "日本", "Z"]
    assert ids(harness, coll, sort="name", filter={"age": {"$gte": 2.5, "$lt": 10}}) == [
        "a",
        "ö",
        "日本",
    ]
    first = harness.run(docs.find(coll, "home", "c", sort={"age": 1}, limit=2))
    rest = harness.run(docs.find(coll, "home", "c", sort={"age": 1}, limit=10, cursor=first.next))
    assert [d["id"] for d in first.docs + rest.docs] == ["Z", "日本", "a", "ö", "b"]
    assert rest.next is None
    with pytest.raises(Invalid):
        harness.run(docs.find(coll, "home", "c", sort="-age", cursor=first.next))
    assert harness.run(docs.count(coll, "home", "c", filter={"age": 5})) == 2


def test_import_is_atomic_unless_rows(harness: Harness, coll: Actor) -> None:
    docs = harness.core.docs
    good = (
        b'{"id": "1", "name": "a", "age": 1, "tags": []}\n'
        b'{"id": "2", "name": "b", "age": 2, "tags": []}\n'
    )
    bad = good + b'{"id": "3", "name": "c"}\nnot json\n'
    with pytest.raises(Invalid, match="line 3"):
        harness.run(docs.import_lines(coll, "home", "c", bad))
    assert harness.run(docs.count(coll, "home", "c")) == 0
    report = harness.run(docs.import_lines(coll, "home", "c", bad, mode="rows"))
    assert (report.loaded, report.failed) == (2, 2)
    assert [e.line for e in report.errors] == [3, 4]


def test_index_a_pod_file(harness: Harness, coll: Actor) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b'{"id": "f1", "name": "n", "age": 7, "tags": ["q"]}\n'

    harness.run(harness.core.files.upload(coll, "home", "in/data.jsonl", body()))
    report = harness.run(harness.core.docs.index_file(coll, "home", "c", "in/data.jsonl"))
    assert report.loaded == 1
    assert ids(harness, coll, expr="tags=q") == ["f1"]


def test_access_rules(harness: Harness, coll: Actor) -> None:
    docs = harness.core.docs
    harness.run(docs.put(coll, "home", "c", {"id": "a", "name": "n", "age": 1, "tags": []}))
    viewer = harness.new_actor(pod=None)
    harness.add_member(coll, "home", viewer, "viewer", "theirs")
    assert harness.run(docs.get(viewer, "theirs", "c", "a"))["name"] == "n"
    with pytest.raises(PermissionDenied):
        harness.run(docs.put(viewer, "theirs", "c", {"id": "b", "name": "n", "age": 1, "tags": []}))
    with pytest.raises(PermissionDenied):
        harness.run(docs.delete_collection(viewer, "theirs", "c"))
    stranger = harness.new_actor()
    with pytest.raises(NotFound):
        harness.run(docs.find(stranger, "home", "c"))
    assert harness.run(docs.collections(stranger, "home")) == []


def test_a_bulk_load_gives_postgresql_the_statistics_to_use_the_value_index(
    harness: Harness, coll: Actor
) -> None:
    """Without statistics PostgreSQL takes a fresh collection for empty and answers an
    indexed equality by nested loops over every document (160 ms at a thousand)."""
    db = harness.core.ctx.db
    if db.is_sqlite:
        pytest.skip("SQLite plans these queries by its heuristics")
    lines = "".join(
        f'{{"id": "d{i:05d}", "name": "user-{i}", "age": {i % 90}, "tags": []}}\n'
        for i in range(3_000)
    )
    harness.run(harness.core.docs.import_lines(coll, "home", "c", lines.encode()))
    assert ids(harness, coll, filter={"name": "user-2024"}) == ["d02024"]
    known = db.read_sync(
        lambda c: dict(
            c.exec_driver_sql(
                "SELECT relname, reltuples FROM pg_class"
                " WHERE relname IN ('documents', 'doc_index')"
            ).all()
        )
    )
    assert known["documents"] >= 3_000 and known["doc_index"] >= 3_000


def test_an_immutable_collection_is_loaded_in_bulk_only(harness: Harness, coll: Actor) -> None:
    docs = harness.core.docs
    made = harness.run(docs.create(coll, "home", "frozen", "name=string", immutable=True))
    assert made.immutable
    harness.run(docs.import_lines(coll, "home", "frozen", b'{"id":"1","name":"a"}\n'))
    with pytest.raises(Conflict):
        harness.run(docs.put(coll, "home", "frozen", {"id": "2", "name": "b"}))
    assert harness.run(docs.stat(coll, "home", "frozen")).count == 1
    assert not harness.run(docs.stat(coll, "home", "c")).immutable
