"""Document collections over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from tests.fixtures.server import Server, User
from tests.frontends.native.test_kv_api import add_member

PEOPLE = [
    {"id": "1", "first_name": "John", "age": 34, "tags": ["a", "b"], "addr": {"city": "Oslo"}},
    {"id": "2", "first_name": "Jane", "age": 19, "tags": ["b"], "addr": {"city": "Rome"}},
    {"id": "3", "first_name": "Bob", "age": 20, "tags": [], "addr": {"city": "Oslo"}},
    {"id": "4", "first_name": "Alice", "age": -5.5, "tags": ["c"], "addr": {"city": "Lima"}},
]


def make_people(user: User, name: str = "people") -> None:
    spec = "first_name=string,age=number,tags=list,addr=map"
    created = user.post("/pods/home/docs", json={"name": name, "indexes": spec})
    assert created.status_code == 201, created.text
    for doc in PEOPLE:
        assert user.put(f"/pods/home/docs/{name}", json=doc).status_code == 201


def find(user: User, **body: Any) -> list[str]:
    response = user.post("/pods/home/docs/people/find", json=body)
    assert response.status_code == 200, response.text
    return [d["id"] for d in response.json()["docs"]]


def test_collections_and_documents(user: User) -> None:
    make_people(user)
    listed = user.get("/pods/home/docs").json()["collections"]
    assert [(c["name"], c["count"]) for c in listed] == [("people", 4)]
    assert [i["name"] for i in listed[0]["indexes"]] == ["id", "first_name", "age", "tags", "addr"]
    assert user.post("/pods/home/docs", json={"name": "people"}).status_code == 409
    assert user.get("/pods/home/docs/people/1").json() == PEOPLE[0]
    changed = {**PEOPLE[0], "age": 35, "first_name": "Johnny"}
    replaced = user.put("/pods/home/docs/people", json=changed)
    assert replaced.status_code == 200 and replaced.json() == {"id": "1", "created": False}
    assert user.get("/pods/home/docs/people/1").json()["age"] == 35
    assert find(user, filter={"first_name": "John"}) == []
    assert find(user, filter={"age": 35}) == ["1"]
    assert user.delete("/pods/home/docs/people/2").status_code == 204
    assert user.get("/pods/home/docs/people/2").status_code == 404
    assert user.delete("/pods/home/docs/people/2").status_code == 404
    assert find(user, filter={"tags": "b"}) == ["1"]
    assert user.get("/pods/home/docs/people").json()["count"] == 3
    assert user.delete("/pods/home/docs/people").status_code == 204
    assert user.get("/pods/home/docs/people/1").status_code == 404
    assert user.get("/pods/home/docs").json()["collections"] == []


def test_native_filters_sort_and_cursor(user: User) -> None:
    make_people(user)
    assert find(user, filter={"age": {"$gte": 20}}) == ["1", "3"]
    assert find(user, filter={"age": {"$lt": 0}}) == ["4"]
    assert find(user, filter={"addr.city": "Oslo"}) == ["1", "3"]
    assert find(user, filter={"$or": [{"tags": "c"}, {"first_name": {"$in": ["Bob"]}}]}) == [
        "3",
        "4",
    ]
    assert find(user, filter={"first_name": {"$ne": "Bob"}, "tags": {"$exists": True}}) == [
        "1",
        "2",
        "4",
    ]
    assert find(user, filter={"nick": {"$exists": False}}, sort="-age") == ["1", "3", "2", "4"]
    pages: list[str] = []
    cursor = None
    while True:
        body: dict[str, Any] = {"filter": {}, "sort": {"age": 1}, "limit": 3}
        if cursor:
            body["cursor"] = cursor
        page = user.post("/pods/home/docs/people/find", json=body).json()
        pages += [d["id"] for d in page["docs"]]
        cursor = page["next"]
        if not cursor:
            break
    assert pages == ["4", "2", "3", "1"]
    count = user.post("/pods/home/docs/people/count", json={"filter": {"age": {"$gt": 0}}})
    assert count.json() == {"count": 3}


def test_fairos_expressions(user: User) -> None:
    make_people(user)
    assert find(user, expr="age=>20") == ["3", "1"]
    assert find(user, expr="age>20") == ["1"]
    assert find(user, expr="age<=20") == ["4", "2", "3"]
    assert find(user, expr="first_name=J.*") == ["2"]
    assert find(user, expr="first_name=>J") == ["2", "1"]
    assert find(user, expr="tags=b") == ["1", "2"]
    assert find(user, expr="addr=city:Oslo") == ["1", "3"]
    assert find(user, expr="age!=20", limit=2) == ["4", "2"]
    assert find(user, expr="") == ["1", "2", "3", "4"]
    counted = user.post("/pods/home/docs/people/count", json={"expr": "age=>20"})
    assert counted.json() == {"count": 2}
    for bad in ("age>=20", "age", "nick=x", "first_name=("):
        response = user.post("/pods/home/docs/people/find", json={"expr": bad})
        assert response.status_code == 400, (bad, response.text)


def test_import_lines_and_index_a_pod_file(user: User) -> None:
    make_people(user)
    good = "\n".join(json.dumps({**p, "id": f"n{p['id']}"}) for p in PEOPLE).encode()
    broken = good + b'\n{"id": "x", "first_name": "No age"}\n'
    failed = user.post("/pods/home/docs/people/import", content=broken)
    assert failed.status_code == 400 and "line 5" in failed.json()["detail"]
    assert user.get("/pods/home/docs/people").json()["count"] == 4
    report = user.post("/pods/home/docs/people/import", params={"mode": "rows"}, content=broken)
    assert report.json()["loaded"] == 4 and report.json()["failed"] == 1
    assert user.get("/pods/home/docs/people").json()["count"] == 8
    user.post("/pods/home/docs", json={"name": "copy", "indexes": "age=number"})
    assert user.put("/pods/home/files/data/people.jsonl", content=good).status_code == 201
    indexed = user.post("/pods/home/docs/copy/index-file", json={"path": "data/people.jsonl"})
    assert indexed.status_code == 200 and indexed.json()["loaded"] == 4
    found = user.post("/pods/home/docs/copy/find", json={"filter": {"age": {"$gt": 19}}})
    assert [d["id"] for d in found.json()["docs"]] == ["n1", "n3"]
    missing = user.post("/pods/home/docs/copy/index-file", json={"path": "nope.jsonl"})
    assert missing.status_code == 404


def test_viewers_read_and_strangers_see_nothing(server: Server, user: User) -> None:
    make_people(user)
    viewer = server.new_user()
    add_member(server, user, "home", viewer, "viewer")
    assert viewer.get("/pods/home/docs/people/1").json() == PEOPLE[0]
    assert viewer.post("/pods/home/docs/people/find", json={"expr": "age=>20"}).status_code == 200
    assert viewer.put("/pods/home/docs/people", json={**PEOPLE[0], "age": 1}).status_code == 403
    assert viewer.delete("/pods/home/docs/people/1").status_code == 403
    assert viewer.post("/pods/home/docs", json={"name": "v"}).status_code == 403
    assert viewer.post("/pods/home/docs/people/import", content=b"{}").status_code == 403
    stranger = server.new_user(pod="home")
    assert stranger.get("/pods/home/docs").json()["collections"] == []
    pod_id = user.get("/pods/home").json()["id"]
    assert stranger.get(f"/pods/{pod_id}/docs/people/1").status_code == 404
    assert stranger.post(f"/pods/{pod_id}/docs/people/find", json={}).status_code == 404


def test_bad_input_is_a_client_error(user: User) -> None:
    make_people(user)
    people = "/pods/home/docs/people"
    checks = [
        user.post("/pods/home/docs", json={"name": "x", "indexes": "a=float"}),
        user.post("/pods/home/docs", json={"name": "x", "indexes": "a"}),
        user.put(people, content=b"{bad json"),
        user.put(people, json=[1, 2]),
        user.put(people, json={"first_name": "no id", "age": 1, "tags": [], "addr": {}}),
        user.put(people, json={"id": 5, "first_name": "x", "age": 1, "tags": [], "addr": {}}),
        user.put(people, json={"id": "5", "first_name": "x", "age": "old", "tags": [], "addr": {}}),
        user.put(
            people,
            json={"id": "5", "first_name": "x", "age": 1, "tags": [], "addr": {}, "n": "\u0000"},
        ),
        user.put(people, content=b'{"id": "d", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
        user.post(f"{people}/find", json={"filter": {"$where": "1"}}),
        user.post(f"{people}/find", json={"filter": {"age": {"$regex": "x"}}}),
        user.post(f"{people}/find", json={"filter": {"age": {"$gt": True}}}),
        user.post(f"{people}/find", json={"filter": {"a": {"b": 1}}}),
        user.post(f"{people}/find", json={"filter": {}, "cursor": "zzz"}),
        user.post(f"{people}/find", json={"filter": {}, "sort": {"age": 2}}),
        user.post(f"{people}/find", json={"expr": "age=>1", "filter": {}}),
        user.post(f"{people}/find", json={"limit": 0}),
        user.post("/pods/home/docs/nope/find", json={}),
        user.post(f"{people}/count", content=b"nope"),
    ]
    for response in checks:
        assert 400 <= response.status_code < 500, (response.request.url, response.text)


def test_expression_finds_page_with_a_cursor_instead_of_truncating(user: User) -> None:
    made = user.post("/pods/home/docs", json={"name": "many", "indexes": "age=number"})
    assert made.status_code == 201, made.text
    lines = "\n".join(json.dumps({"id": f"d{n:03d}", "age": 20 + n % 7}) for n in range(500))
    assert user.post("/pods/home/docs/many/import", content=lines).status_code == 200
    matching = {f"d{n:03d}" for n in range(500) if 20 + n % 7 >= 21}
    assert len(matching) > 400
    seen: list[str] = []
    cursor = None
    while True:
        body: dict[str, Any] = {"expr": "age=>21", "limit": 100}
        if cursor:
            body["cursor"] = cursor
        page = user.post("/pods/home/docs/many/find", json=body)
        assert page.status_code == 200, page.text
        seen += [d["id"] for d in page.json()["docs"]]
        cursor = page.json()["next"]
        if not cursor:
            break
    assert len(seen) == len(matching) and set(seen) == matching
    # a cursor pages only the expression it came from
    first = user.post("/pods/home/docs/many/find", json={"expr": "age=>21", "limit": 5})
    other = {"expr": "age=>22", "limit": 5, "cursor": first.json()["next"]}
    assert user.post("/pods/home/docs/many/find", json=other).status_code == 400
    tampered = {"expr": "age=>21", "limit": 5, "cursor": "x" + first.json()["next"]}
    assert user.post("/pods/home/docs/many/find", json=tampered).status_code == 400
