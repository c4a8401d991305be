"""The permission webhook, served by the test: allow, deny with its message, a hook that
fails or does not answer in time (500, nothing let through); the admin role needs no hook;
identity headers from a trusted gateway (here the test's own address)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.fixtures.server import Server, running_server
from tests.frontends.dialects.hasura.conftest import Account, account, hasura_client, new_id

ADMIN = f"hook-admin-{uuid.uuid4().hex[:8]}"
HOOK_TIMEOUT = 3.0  # the slow hook never answers in time; the others, even on a loaded machine
RELEASE = threading.Event()  # set at the end: the slow hook's answer comes only then


class Hook(BaseHTTPRequestHandler):
    """Decides by the file id's first word: allow, deny, slow, broken."""

    asked: list[dict[str, Any]] = []

    def do_GET(self) -> None:
        query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        Hook.asked.append({**query, **{k.lower(): v for k, v in self.headers.items()}})
        verdict = query.get("file_id", "").split("-")[0]
        if verdict == "slow":
            RELEASE.wait(10)
        status = {"allow": 200, "deny": 403, "broken": 502}.get(verdict, 200)
        body = json.dumps({"message": f"no {query.get('file_op')} for you"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    hook.daemon_threads = True
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    env = {
        "PODSTORE_FRONTENDS__HASURA__PERMISSIONS": "webhook",
        "PODSTORE_FRONTENDS__HASURA__HOOK_URL": f"http://127.0.0.1:{hook.server_port}/hook",
        "PODSTORE_FRONTENDS__HASURA__HOOK_TIMEOUT_SECONDS": str(HOOK_TIMEOUT),
        "PODSTORE_FRONTENDS__HASURA__ADMINS": json.dumps([ADMIN]),
        "PODSTORE_FRONTENDS__HASURA__TRUSTED_GATEWAYS": json.dumps(["127.0.0.1"]),
    }
    try:
        with running_server(tmp_path_factory.mktemp("hook"), None, ("hasura",), **env) as srv:
            yield srv
    finally:
        RELEASE.set()
        hook.shutdown()
        hook.server_close()


@pytest.fixture(scope="module")
def alice(server: Server) -> Account:
    return account(server)


def last_asked(file_id: str) -> dict[str, Any]:
    return [a for a in Hook.asked if a.get("file_id") == file_id][-1]


def test_the_hook_allows(server: Server, alice: Account) -> None:
    file_id = f"allow-{new_id()}"
    up = alice.files.post(f"/v1/file/{file_id}", content=b"ok")
    assert up.status_code == 200, up.text
    asked = last_asked(file_id)
    assert asked["file_op"] == "create" and asked["x-hasura-role"] == "user"
    assert asked["x-hasura-user-id"] == str(up.json()["user_id"])
    with hasura_client(server) as anonymous:
        assert anonymous.get(f"/v1/file/{file_id}").content == b"ok"
    asked = last_asked(file_id)
    assert (asked["file_op"], asked["x-hasura-user-id"], asked["x-hasura-role"]) == (
        "read",
        "0",
        "anonymous",
    )
    with hasura_client(server) as anonymous:  # the hook may allow it; a file needs an owner
        assert anonymous.post(f"/v1/file/allow-{new_id()}", content=b"x").status_code == 403


def test_the_hooks_refusal_and_its_message_reach_the_client(alice: Account) -> None:
    file_id = f"deny-{new_id()}"
    refused = alice.files.post(f"/v1/file/{file_id}", content=b"x")
    assert refused.status_code == 403
    assert refused.json() == {"error": "no create for you"}


@pytest.mark.parametrize("verdict", ["slow", "broken"])
def test_a_failing_hook_lets_nothing_through(alice: Account, verdict: str) -> None:
    file_id = f"{verdict}-{new_id()}"
    failed = alice.files.post(f"/v1/file/{file_id}", content=b"x")
    assert failed.status_code == 500 and set(failed.json()) == {"error"}
    listed = alice.native.get("/pods/filestore/list/")  # 404: no file ever made the pod
    assert listed.status_code in (200, 404)
    assert file_id not in [e["name"] for e in listed.json().get("entries", [])]


def test_the_admin_role_needs_no_hook(server: Server) -> None:
    admin = account(server, ADMIN)
    file_id = f"deny-{new_id()}"
    assert admin.files.post(f"/v1/file/{file_id}", content=b"admin's").status_code == 200
    assert admin.files.delete(f"/v1/file/{file_id}").status_code == 200
    assert not [a for a in Hook.asked if a.get("file_id") == file_id]


def test_a_trusted_gateway_names_the_user(server: Server, alice: Account) -> None:
    number = alice.files.post(f"/v1/file/allow-{new_id()}", content=b"x").json()["user_id"]
    claims = {"X-Hasura-User-Id": str(number), "X-Hasura-Role": "user"}
    file_id = f"allow-{new_id()}"
    with hasura_client(server, **claims) as gateway:
        up = gateway.post(f"/v1/file/{file_id}", content=b"via the gateway")
        assert up.status_code == 200 and up.json()["user_id"] == number
    assert alice.native.get(f"/pods/filestore/files/{file_id}").content == b"via the gateway"
    with hasura_client(server, **{**claims, "X-Hasura-Allowed-Roles": "user"}) as gateway:
        escalated = gateway.delete(f"/v1/file/{file_id}", headers={"X-Hasura-Role": "admin"})
        assert escalated.status_code == 403
