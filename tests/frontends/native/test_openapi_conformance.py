"""The OpenAPI document is true: schemathesis sends generated requests to every operation of a
live server, as a signed-in user with a real pod, table, collection and file, and every
answer must be a documented status with a documented media type and body, and never a 5xx.

Bounded (a few examples per operation, one worker) and derandomized with a fixed seed, so a
run is quick and repeatable. It runs schemathesis' own runner (`st run`, as a developer
would to reproduce a finding): its pytest plugin does not work with pytest 9.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.fixtures.server import Server, User, server_env

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# path parameters that name something real, so requests get past "not found"
REAL = {"pod": "home", "table": "t", "coll": "c", "path": "notes.txt"}
# operations that would destroy the real things get spare ones of their own
SPARE = [
    ("PATCH", "/pods/{pod}", {"path.pod": "spare"}),
    ("DELETE", "/pods/{pod}", {"path.pod": "spare"}),
    ("DELETE", "/pods/{pod}/kv/{table}", {"path.table": "spare"}),
    ("DELETE", "/pods/{pod}/docs/{coll}", {"path.coll": "spare"}),
    ("GET", "/events/poll", {"query.timeout": 0}),  # a long poll would wait 25 s
]
# operations that end the session or the account run as a second user
AS_VICTIM = [("POST", "/logout"), ("DELETE", "/me")]
ST = [sys.executable, "-m", "schemathesis.cli", "--no-color"]
PASSWORD = "correct horse battery staple"
HOOKS = Path(__file__).with_name("conformance_hooks.py")


def toml(value: object) -> str:
    """A TOML inline value (JSON's strings, numbers and booleans are TOML's)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def config(token: str, victim: str) -> str:
    bearer = {"Authorization": f"Bearer {token}"}
    lines = [
        f"hooks = {toml(str(HOOKS))}",
        "seed = 20261204",
        "workers = 1",
        "request-timeout = 30",
        f"headers = {toml(bearer)}",
        "[generation]",
        "max-examples = 5",
        "deterministic = true",
        "no-shrink = true",
        "[phases]",
        "examples = { enabled = false }",
        "stateful = { enabled = false }",
        "[checks]",
        "enabled = false",
        *(f"{name} = {{ enabled = true }}" for name in CHECKS),
        "[parameters]",
        *(f'"path.{name}" = {toml(value)}' for name, value in REAL.items()),
    ]
    for method, path, parameters in SPARE:
        lines += ["[[operations]]", f'include-name = "{method} /api/v1{path}"']
        lines.append(f"parameters = {toml(parameters)}")
    for method, path in AS_VICTIM:
        lines += ["[[operations]]", f'include-name = "{method} /api/v1{path}"']
        lines.append(f"headers = {toml({'Authorization': f'Bearer {victim}'})}")
    return "\n".join(lines) + "\n"


def signed_in(server: Server, name: str) -> str:
    with server.client() as anon:
        assert anon.post("/signup", json={"name": name, "password": PASSWORD}).status_code == 201
        login = anon.post("/login", json={"name": name, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token: str = login.json()["token"]
    return token


def furnish(server: Server, token: str) -> None:
    """The things REAL and SPARE name."""
    with server.client(token) as user:
        for pod in ("home", "spare"):
            assert user.post("/pods", json={"name": pod}).status_code == 201
        assert user.put("/pods/home/files/notes.txt", content=b"hello").status_code == 201
        for table in ("t", "spare"):
            assert user.post("/pods/home/kv", json={"name": table}).status_code == 201
        assert user.put("/pods/home/kv/t/k", content=b"v").status_code == 201
        for coll in ("c", "spare"):
            assert user.post("/pods/home/docs", json={"name": coll}).status_code == 201
        assert user.put("/pods/home/docs/c", json={"id": "d", "n": 1}).status_code == 201


def test_every_answer_is_documented(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", server_env(tmp_path / "data", None))
    server.start()
    try:
        token = signed_in(server, "fuzzer")
        victim = signed_in(server, "victim")
        furnish(server, token)
        document = httpx.get(server.api_url + "/openapi.json").json()
        settings = tmp_path / "schemathesis.toml"
        settings.write_text(config(token, victim))
        run = subprocess.run(
            [*ST, "--config-file", str(settings), "run", server.api_url + "/openapi.json"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        server.stop()
    findings = run.stdout[run.stdout.find("FAILURES") - 40 :][:20_000] + run.stderr[-5_000:]
    assert run.returncode == 0, findings + "\n" + server.log()
    operations = sum(len(item) for item in document["paths"].values())
    assert f"Tested: {operations}" in run.stdout, run.stdout[-3_000:]
    for ref in references(document):  # schemathesis only warns about these
        name = ref.removeprefix("#/components/schemas/")
        assert name in document["components"]["schemas"], ref


def references(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


# what the conformance run found, kept as plain tests on both databases


def test_an_export_with_a_bad_range_is_refused_before_it_starts(user: User) -> None:
    assert user.post("/pods/home/kv", json={"name": "t"}).status_code == 201
    answer = user.get("/pods/home/kv/t", params={"format": "csv", "end": "0" * 2000})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    assert "1024" in answer.json()["detail"]


def test_a_malformed_multipart_body_is_the_clients_error(user: User) -> None:
    answer = user.post(
        "/pods/home/upload",
        content=b"--b\r\n-2638111--b--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert answer.status_code == 400
    assert answer.json()["title"] == "Invalid request"
