"""KV tables over HTTP, on SQLite and PostgreSQL: what a user of the native API sees."""

from __future__ import annotations

import base64
import json
import random
from urllib.parse import quote

import httpx
import sqlalchemy as sa

from podstore.meta.schema import pod_members
from tests.fixtures.server import Server, User


def add_member(server: Server, owner: User, pod: str, member: User, role: str) -> None:
    """Make `member` a member of the owner's pod, straight in the server's database (the
    pod key is not needed for tables and collections)."""
    pod_id = owner.get(f"/pods/{pod}").json()["id"]
    url = server.env.get("PODSTORE_DATABASE_URL") or f"sqlite:///{server.data_dir}/podstore.db"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            pod_members.insert().values(
                pod_id=pod_id, user_id=member.user_id, role=role, alias=pod, wrapped_key=b"-"
            )
        )
    engine.dispose()


def values(page: httpx.Response) -> list[tuple[str, bytes]]:
    assert page.status_code == 200, page.text
    return [(i["key"], base64.b64decode(i["value_b64"])) for i in page.json()["items"]]


def make_table(user: User, name: str = "t", index_type: str = "string") -> None:
    created = user.post("/pods/home/kv", json={"name": name, "index_type": index_type})
    assert created.status_code == 201, created.text


def test_tables_are_created_listed_and_deleted(user: User) -> None:
    make_table(user, "notes")
    make_table(user, "scores", "number")
    again = user.post("/pods/home/kv", json={"name": "notes"})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    user.put("/pods/home/kv/notes/a", content=b"1")
    tables = user.get("/pods/home/kv").json()["tables"]
    assert [(t["name"], t["index_type"], t["count"]) for t in tables] == [
        ("notes", "string", 1),
        ("scores", "number", 0),
    ]
    assert user.post("/pods/home/kv/notes/count").json()["count"] == 1
    assert user.delete("/pods/home/kv/notes").status_code == 204
    assert user.get("/pods/home/kv/notes/a").status_code == 404
    assert [t["name"] for t in user.get("/pods/home/kv").json()["tables"]] == ["scores"]
    assert user.delete("/pods/home/kv/notes").status_code == 404


def test_entries_round_trip_raw_bytes(user: User) -> None:
    make_table(user)
    big = random.randbytes(1024 * 1024)
    cases = {
        "plain": b"hello",
        "empty": b"",
        "binary": bytes(range(256)),
        "big": big,
        "ünï-cødé ☃ 日本": "värde".encode(),
        "with/slash": b"s",
        "sp ace?&#": b"q",
    }
    for key, value in cases.items():
        put = user.put(f"/pods/home/kv/t/{quote(key, safe='/')}", content=value)
        assert put.status_code == 201, put.text
    for key, value in cases.items():
        got = user.get(f"/pods/home/kv/t/{quote(key, safe='/')}")
        assert got.status_code == 200
        assert got.content == value
    replaced = user.put("/pods/home/kv/t/plain", content=b"again")
    assert replaced.status_code == 200 and replaced.json()["created"] is False
    assert user.get("/pods/home/kv/t/plain").content == b"again"
    assert user.head("/pods/home/kv/t/plain").status_code == 200
    assert user.head("/pods/home/kv/t/nope").status_code == 404
    assert user.delete("/pods/home/kv/t/plain").status_code == 204
    assert user.get("/pods/home/kv/t/plain").status_code == 404
    assert user.delete("/pods/home/kv/t/plain").status_code == 404
    assert user.post("/pods/home/kv/t/count").json()["count"] == len(cases) - 1


def test_range_scan_edges_and_cursor(user: User) -> None:
    make_table(user)
    keys = [f"k{i:02d}" for i in range(25)]
    for key in random.sample(keys, len(keys)):
        user.put(f"/pods/home/kv/t/{key}", content=key.encode())
    assert [k for k, _ in values(user.get("/pods/home/kv/t"))] == keys
    inner = values(user.get("/pods/home/kv/t", params={"start": "k05", "end": "k09"}))
    assert [k for k, _ in inner] == ["k05", "k06", "k07", "k08"]
    between = values(user.get("/pods/home/kv/t", params={"start": "k050", "end": "k06"}))
    assert between == []
    assert values(user.get("/pods/home/kv/t", params={"start": "k30"})) == []
    assert values(user.get("/pods/home/kv/t", params={"start": "k09", "end": "k01"})) == []
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"start": "k03", "end": "k20", "limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = user.get("/pods/home/kv/t", params=params)
        seen += [k for k, _ in values(page)]
        cursor = page.json()["next"]
        if not cursor:
            break
    assert seen == keys[3:20]


def test_number_keys_order_numerically(user: User) -> None:
    make_table(user, "n", "number")
    numbers = ["-100", "-2.5", "-2", "-1", "-0.001", "0", "0.5", "1", "2", "10", "1e3", "123456"]
    for key in random.sample(numbers, len(numbers)):
        assert user.put(f"/pods/home/kv/n/{key}", content=key.encode()).status_code == 201
    scanned = values(user.get("/pods/home/kv/n"))
    assert [v.decode() for _, v in scanned] == numbers
    assert [k for k, _ in scanned][-2:] == ["1000", "123456"]
    window = values(user.get("/pods/home/kv/n", params={"start": "-2", "end": "1"}))
    assert [v.decode() for _, v in window] == ["-2", "-1", "-0.001", "0", "0.5"]
    assert user.get("/pods/home/kv/n/1.0").content == b"1"
    bad = user.put("/pods/home/kv/n/abc", content=b"x")
    assert bad.status_code == 400 and "not a number" in bad.json()["detail"]


def test_batch_put_and_bad_batches(user: User) -> None:
    make_table(user)
    items = [{"key": f"b{i}", "value": f"v{i}"} for i in range(50)]
    items.append({"key": "bin", "value_b64": base64.b64encode(b"\x00\xff").decode()})
    stored = user.post("/pods/home/kv/t/batch", json={"items": items})
    assert stored.status_code == 200 and stored.json()["stored"] == 51
    assert user.get("/pods/home/kv/t/bin").content == b"\x00\xff"
    assert user.post("/pods/home/kv/t/batch", json={"items": [{"key": "x"}]}).status_code == 400
    bad_b64 = {"items": [{"key": "x", "value_b64": "***"}]}
    assert user.post("/pods/home/kv/t/batch", json=bad_b64).status_code == 400
    assert user.post("/pods/home/kv/t/count").json()["count"] == 51


def test_csv_import_export_and_failed_import_changes_nothing(user: User) -> None:
    make_table(user, "people", "number")
    csv = b'id,name,city\n3,Carol,Oslo\n1,Alice,"Paris, France"\n2,Bob,Rome\n'
    loaded = user.post("/pods/home/kv/people/import", params={"format": "csv"}, content=csv)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["loaded"] == 3
    assert user.get("/pods/home/kv/people/1").content == b'1,Alice,"Paris, France"'
    info = user.get("/pods/home/kv").json()["tables"][0]
    assert info["columns"] == ["id", "name", "city"]
    exported = user.get("/pods/home/kv/people", params={"format": "csv"})
    assert exported.status_code == 200
    assert exported.text.splitlines() == [
        "id,name,city",
        '1,Alice,"Paris, France"',
        "2,Bob,Rome",
        "3,Carol,Oslo",
    ]
    before = values(user.get("/pods/home/kv/people"))
    broken = b"id,name\n4,Dan\nfive,Eve\n6,Fay\n"
    failed = user.post("/pods/home/kv/people/import", params={"format": "csv"}, content=broken)
    assert failed.status_code == 400
    assert "line 3" in failed.json()["detail"]
    assert values(user.get("/pods/home/kv/people")) == before
    report = user.post(
        "/pods/home/kv/people/import", params={"format": "csv", "mode": "rows"}, content=broken
    ).json()
    assert (report["loaded"], report["failed"]) == (2, 1)
    assert report["errors"][0]["line"] == 3
    assert user.post("/pods/home/kv/people/count").json()["count"] == 5


def test_jsonl_import_and_export_round_trip(user: User) -> None:
    make_table(user)
    lines = [
        {"key": "a", "value": "text"},
        {"key": "b", "value_b64": base64.b64encode(b"\xff\x00").decode()},
        {"key": "c", "value": "ü"},
    ]
    body = "\n".join(json.dumps(line) for line in lines).encode()
    assert user.post("/pods/home/kv/t/import", content=body).json()["loaded"] == 3
    exported = user.get("/pods/home/kv/t", params={"format": "jsonl"}).text.splitlines()
    assert [json.loads(line) for line in exported] == lines
    junk = user.post("/pods/home/kv/t/import", content=b'{"key": "d", "value": "x"}\nnot json\n')
    assert junk.status_code == 400
    assert user.get("/pods/home/kv/t/d").status_code == 404


def test_viewers_read_and_editors_write(server: Server, user: User) -> None:
    make_table(user)
    user.put("/pods/home/kv/t/k", content=b"v")
    viewer = server.new_user()
    editor = server.new_user()
    add_member(server, user, "home", viewer, "viewer")
    add_member(server, user, "home", editor, "editor")
    assert viewer.get("/pods/home/kv/t/k").content == b"v"
    assert len(values(viewer.get("/pods/home/kv/t"))) == 1
    assert viewer.put("/pods/home/kv/t/k", content=b"no").status_code == 403
    assert viewer.delete("/pods/home/kv/t/k").status_code == 403
    assert viewer.post("/pods/home/kv", json={"name": "mine"}).status_code == 403
    assert (
        viewer.post("/pods/home/kv/t/import", content=b'{"key":"x","value":"y"}').status_code == 403
    )
    assert viewer.delete("/pods/home/kv/t").status_code == 403
    assert editor.put("/pods/home/kv/t/k", content=b"edited").status_code == 200
    assert user.get("/pods/home/kv/t/k").content == b"edited"


def test_another_users_tables_are_not_found(server: Server, user: User) -> None:
    make_table(user)
    user.put("/pods/home/kv/t/k", content=b"secret")
    other = server.new_user(pod="mine")
    pod_id = user.get("/pods/home").json()["id"]
    for ref in ("home", pod_id):
        assert other.get(f"/pods/{ref}/kv").status_code == 404
        assert other.get(f"/pods/{ref}/kv/t/k").status_code == 404
        assert other.put(f"/pods/{ref}/kv/t/k", content=b"x").status_code == 404
    assert user.get("/pods/home/kv/t/k").content == b"secret"


def test_bad_input_is_a_client_error(user: User) -> None:
    make_table(user)
    checks = [
        user.post("/pods/home/kv", json={"name": "x", "index_type": "float"}),
        user.post("/pods/home/kv", content=b"{not json"),
        user.post("/pods/home/kv", json={"name": ""}),
        user.post("/pods/home/kv", json={"name": "a/b"}),
        user.post("/pods/home/kv", content=b"[" * 100_000 + b"]" * 100_000),
        user.get("/pods/home/kv/t", params={"cursor": "!!!"}),
        user.get("/pods/home/kv/t", params={"limit": 0}),
        user.get("/pods/home/kv/missing"),
        user.put("/pods/home/kv/missing/k", content=b"x"),
        user.post("/pods/home/kv/t/import", params={"format": "xml"}, content=b"x"),
        user.post("/pods/home/kv/t/import", params={"format": "csv"}, content=b"\xff\xfe"),
        user.post("/pods/home/kv/t/batch", json={"items": "no"}),
        user.put("/pods/home/kv/t/" + "k" * 2000, content=b"x"),
    ]
    for response in checks:
        assert 400 <= response.status_code < 500, (response.request.url, response.text)
