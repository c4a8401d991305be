"""Native filters against a reference evaluator written in plain Python, on random documents,
on SQLite and PostgreSQL: the SQL (JSON1 / JSONB, index side table or not) must agree."""

from __future__ import annotations

import json
import random
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podstore.core.context import Actor
from tests.core.conftest import Harness

SPEC = "s=string,n=number,l=list,m=map"
STRINGS = ["", "a", "ab", "b", "Z", "é", "10", "a b"]
NUMBERS = [-2, -1.5, 0, 1, 2, 2.0, 3.25, 10]
PATHS = ["id", "s", "n", "l", "m.a", "m.b", "x", "y", "o.p", "nope", "m"]
MISSING = object()

strings = st.sampled_from(STRINGS)
numbers = st.sampled_from(NUMBERS)
scalars = st.one_of(strings, numbers, st.booleans(), st.none())
ordered = st.one_of(strings, numbers)
anything = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["p", "q"]), inner, max_size=2)
    ),
    max_leaves=4,
)


@st.composite
def documents(draw: st.DrawFn, doc_id: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": doc_id,
        "s": draw(strings),
        "n": draw(numbers),
        "l": draw(st.lists(st.one_of(strings, numbers), max_size=3)),
        "m": draw(
            st.dictionaries(
                st.sampled_from(["a", "b"]), st.one_of(scalars, st.lists(scalars, max_size=2))
            )
        ),
    }
    for key in ("x", "y", "o"):
        if draw(st.booleans()):
            doc[key] = draw(anything)
    return doc


def random_value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randrange(7 if depth < 2 else 4)
    if pick == 0:
        return rng.choice(STRINGS)
    if pick == 1:
        return rng.choice(NUMBERS)
    if pick == 2:
        return rng.choice([True, False])
    if pick == 3:
        return None
    if pick in (4, 5):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {k: random_value(rng, depth + 1) for k in rng.sample(["p", "q"], rng.randrange(3))}


def random_document(rng: random.Random, doc_id: str) -> dict[str, Any]:
    scalars = [*STRINGS, *NUMBERS, True, False, None]
    doc: dict[str, Any] = {
        "id": doc_id,
        "s": rng.choice(STRINGS),
        "n": rng.choice(NUMBERS),
        "l": [rng.choice([*STRINGS, *NUMBERS]) for _ in range(rng.randrange(4))],
        "m": {
            k: rng.choice([rng.choice(scalars), [rng.choice(scalars) for _ in range(2)]])
            for k in rng.sample(["a", "b"], rng.randrange(3))
        },
    }
    for key in ("x", "y", "o"):
        if rng.random() < 0.7:
            doc[key] = random_value(rng)
    return doc


def leaf(path: str, op: str, value: Any) -> dict[str, Any]:
    return {path: value} if op == "bare" else {path: {f"${op}": value}}


conditions = st.one_of(
    st.builds(leaf, st.sampled_from(PATHS), st.sampled_from(["bare", "eq", "ne"]), scalars),
    st.builds(leaf, st.sampled_from(PATHS), st.sampled_from(["gt", "gte", "lt", "lte"]), ordered),
    st.builds(leaf, st.sampled_from(PATHS), st.just("in"), st.lists(scalars, max_size=3)),
    st.builds(leaf, st.sampled_from(PATHS), st.just("exists"), st.booleans()),
)
filters = st.recursive(
    conditions,
    lambda inner: st.one_of(
        st.builds(lambda fs: {"$and": fs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda fs: {"$or": fs}, st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)
sorts = st.one_of(
    st.none(),
    st.sampled_from(PATHS[:-1]).flatmap(lambda p: st.sampled_from([p, "-" + p, {p: 1}, {p: -1}])),
)


# -- the reference evaluator ------------------------------------------------------------------


def get(doc: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(doc, dict) or key not in doc:
            return MISSING
        doc = doc[key]
    return doc


def is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def scalar(v: Any, op: str, x: Any) -> bool:
    if x is None:
        return v is None
    if isinstance(x, bool):
        return isinstance(v, bool) and v == x
    if isinstance(x, str) and not isinstance(v, str):
        return False
    if is_number(x) and not is_number(v):
        return False
    return {"eq": v == x, "gt": v > x, "gte": v >= x, "lt": v < x, "lte": v <= x}[op]


def compare(v: Any, op: str, x: Any) -> bool:
    found = scalar(v, op, x) or (isinstance(v, list) and any(scalar(e, op, x) for e in v))
    if op == "eq" and x is None:
        return found or v is MISSING
    return found


def matches(doc: dict[str, Any], f: dict[str, Any]) -> bool:
    for key, value in f.items():
        if key == "$and":
            ok = all(matches(doc, g) for g in value)
        elif key == "$or":
            ok = any(matches(doc, g) for g in value)
        else:
            v = get(doc, key)
            ops = value if isinstance(value, dict) else {"$eq": value}
            ok = all(operator(v, op[1:], arg) for op, arg in ops.items())
        if not ok:
            return False
    return True


def operator(v: Any, op: str, arg: Any) -> bool:
    if op == "ne":
        return not compare(v, "eq", arg)
    if op == "in":
        return any(compare(v, "eq", x) for x in arg)
    if op == "exists":
        return (v is not MISSING) == arg
    return compare(v, op, arg)


def sort_key(doc: dict[str, Any], path: str) -> tuple[Any, ...]:
    v = get(doc, path)
    if is_number(v):
        return (1, v, "", doc["id"])
    if isinstance(v, str):
        return (2, 0, v, doc["id"])
    return (0, 0, "", doc["id"])


def expected(docs: list[dict[str, Any]], f: dict[str, Any], sort: Any) -> list[str]:
    hits = [d for d in docs if matches(d, f)]
    if sort is None:
        return sorted(d["id"] for d in hits)
    path, desc = (
        (sort.lstrip("-"), sort.startswith("-"))
        if isinstance(sort, str)
        else (next(iter(sort)), next(iter(sort.values())) == -1)
    )
    if path == "id":
        return sorted((d["id"] for d in hits), reverse=desc)
    return [d["id"] for d in sorted(hits, key=lambda d: sort_key(d, path), reverse=desc)]


# -- the tests ------------------------------------------------------------------------------


def load(harness: Harness, actor: Actor, docs: list[dict[str, Any]]) -> str:
    name = f"c{uuid.uuid4().hex[:8]}"
    harness.run(harness.core.docs.create(actor, "home", name, SPEC))
    data = "\n".join(json.dumps(d) for d in docs).encode()
    report = harness.run(harness.core.docs.import_lines(actor, "home", name, data))
    assert report.loaded == len(docs)
    return name


def found(harness: Harness, actor: Actor, name: str, f: Any, sort: Any, limit: int) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        page = harness.run(
            harness.core.docs.find(
                actor, "home", name, filter=f, sort=sort, limit=limit, cursor=cursor
            )
        )
        ids += [d["id"] for d in page.docs]
        cursor = page.next
        if cursor is None:
            return ids


CORPUS: dict[int, tuple[Actor, str, list[dict[str, Any]]]] = {}


def corpus(harness: Harness) -> tuple[Actor, str, list[dict[str, Any]]]:
    """80 random documents loaded once per database."""
    if id(harness) not in CORPUS:
        rng = random.Random(4)
        docs = [random_document(rng, f"d{i:02d}") for i in range(80)]
        rng.shuffle(docs)
        actor = harness.new_actor()
        CORPUS[id(harness)] = (actor, load(harness, actor, docs), docs)
    return CORPUS[id(harness)]


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(f=filters, sort=sorts, limit=st.integers(3, 40))
def test_filters_on_a_fixed_corpus(
    harness: Harness, f: dict[str, Any], sort: Any, limit: int
) -> None:
    actor, name, docs = corpus(harness)
    assert found(harness, actor, name, f, sort, limit) == expected(docs, f, sort)
    count = harness.run(harness.core.docs.count(actor, "home", name, filter=f))
    assert count == len(expected(docs, f, None))


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), f=filters)
def test_filters_on_random_documents(
    harness: Harness, data: st.DataObject, f: dict[str, Any]
) -> None:
    size = data.draw(st.integers(0, 8))
    docs = [data.draw(documents(f"r{i}")) for i in range(size)]
    actor = CORPUS_ACTOR.setdefault(id(harness), harness.new_actor())
    name = load(harness, actor, docs)
    assert found(harness, actor, name, f, None, 3) == expected(docs, f, None)


CORPUS_ACTOR: dict[int, Actor] = {}
