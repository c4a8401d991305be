"""FairOS expressions: parsing exactly as FairOS does, and evaluation over real indexes."""

from __future__ import annotations

import pytest

from podstore.core.context import Actor
from podstore.core.docs.fairos_expr import Expression, parse
from podstore.core.errors import Invalid
from tests.core.conftest import Harness


@pytest.mark.parametrize(
    ("expr", "field", "op", "value"),
    [
        ("age=>20", "age", "=>", "20"),
        ("age<=20", "age", "<=", "20"),
        ("age<20", "age", "<", "20"),
        ("age>20", "age", ">", "20"),
        ("age!=20", "age", "!=", "20"),
        ("age=20", "age", "=", "20"),
        # `>=` is not an operator: `>` is found first and the value keeps the `=`
        ("age>=20", "age", ">", "=20"),
        # `=>` is looked for before `=`, `<=` before `<`
        ("a=>b=c", "a", "=>", "b=c"),
        ("a<=>b", "a<", "=>", "b"),
        # split on every occurrence: the value stops at the second one
        ("a=b=c", "a", "=", "b"),
        ("a<b<c", "a", "<", "b"),
        ("first_name=J.*", "first_name", "=", "J.*"),
        ("addr=city:Berlin", "addr", "=", "city:Berlin"),
        # nothing is trimmed
        (" age = 20", " age ", "=", " 20"),
        ("=x", "", "=", "x"),
        ("x=", "x", "=", ""),
    ],
)
def test_parse_like_fairos(expr: str, field: str, op: str, value: str) -> None:
    assert parse(expr) == Expression(field, op, value)


@pytest.mark.parametrize("expr", ["age", "", "a~b", "a!b"])
def test_no_operator_is_invalid(expr: str) -> None:
    with pytest.raises(Invalid, match="invalid operator"):
        parse(expr)


PEOPLE = [
    {"id": "p1", "name": "John", "age": 30, "tags": ["x", "y"], "addr": {"city": "Berlin"}},
    {"id": "p2", "name": "Jane", "age": 25, "tags": ["y"], "addr": {"city": "Paris"}},
    {"id": "p3", "name": "Bob", "age": -3, "tags": [], "addr": {"city": "Rome"}},
    {"id": "p4", "name": "Jim", "age": 40.5, "tags": ["z"], "addr": {"city": "Berlin"}},
    {"id": "p5", "name": "Joan", "age": -10, "tags": ["x"], "addr": {"zip": "123"}},
]


@pytest.fixture(scope="module")
def people(harness: Harness) -> Actor:
    actor = harness.new_actor()
    harness.run(
        harness.core.docs.create(
            actor, "home", "people", "name=string,age=number,tags=list,addr=map"
        )
    )
    for doc in PEOPLE:
        harness.run(harness.core.docs.put(actor, "home", "people", doc))
    return actor


@pytest.mark.parametrize(
    ("expr", "ids"),
    [
        # string index: the value is a regular expression; `=` takes the first matching key
        ("name=J.*", ["p2"]),
        ("name=John", ["p1"]),
        ("name=Jo", ["p5"]),
        ("name=>J", ["p2", "p4", "p5", "p1"]),
        ("name=>Ji", ["p4"]),
        ("name=>J.*n$", ["p5", "p1"]),
        ("name>Jim", []),
        ("name>J", ["p2", "p4", "p5", "p1"]),
        ("name<Jane", ["p3"]),
        ("name!=Jim", ["p3", "p2", "p5", "p1"]),
        # number index: numeric, negatives included
        ("age=25", ["p2"]),
        ("age=26", []),
        ("age=>25", ["p2", "p1", "p4"]),
        ("age>25", ["p1", "p4"]),
        ("age<0", ["p5", "p3"]),
        ("age<=-3", ["p5", "p3"]),
        ("age!=30", ["p5", "p3", "p2", "p4"]),
        ("age=>-3.5", ["p3", "p2", "p1", "p4"]),
        # list and map indexes
        ("tags=x", ["p1", "p5"]),
        ("tags=>y", ["p1", "p2", "p4"]),
        ("addr=city:Berlin", ["p1", "p4"]),
        ("addr=cityBerlin", ["p1", "p4"]),
        ("addr=>zip", ["p5"]),
        ("id=p3", ["p3"]),
        ("id=>p4", ["p4"]),
        ("id=>p[45]", []),
        ("id=>p.*[45]", ["p4", "p5"]),
        ("", ["p1", "p2", "p3", "p4", "p5"]),
    ],
)
def test_find_and_count(harness: Harness, people: Actor, expr: str, ids: list[str]) -> None:
    found = harness.run(harness.core.docs.find(people, "home", "people", expr=expr))
    assert [d["id"] for d in found.docs] == ids
    if expr:
        assert harness.run(harness.core.docs.count(people, "home", "people", expr=expr)) == len(ids)


def test_limit_truncates(harness: Harness, people: Actor) -> None:
    found = harness.run(harness.core.docs.find(people, "home", "people", expr="age=>-100", limit=2))
    assert [d["id"] for d in found.docs] == ["p5", "p3"]


@pytest.mark.parametrize("expr", ["age>=20", "age=abc", "nick=x", "name=(", "age"])
def test_bad_expressions(harness: Harness, people: Actor, expr: str) -> None:
    with pytest.raises(Invalid):
        harness.run(harness.core.docs.find(people, "home", "people", expr=expr))
