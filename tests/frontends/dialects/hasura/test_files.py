"""The Hasura file API through a real server: the seed's examples, the js-sdk's way of
using it, upserts, permissions in `public-read-user-write` with an admin, the identity
headers ignored without a gateway, and bad input in Hasura's envelopes."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

import pytest

from tests.fixtures.server import Server, running_server
from tests.frontends.dialects.hasura.conftest import (
    METADATA_KEYS,
    Account,
    account,
    check_metadata,
    hasura_client,
    new_id,
)

ADMIN = f"hasura-admin-{uuid.uuid4().hex[:8]}"
APP = "https://app.example.org"  # the web app whose pages use the js-sdk
SEED_ID = "05c40f1e-cdaf-4e29-8976-38c899"  # as seed 003 writes it (not a whole UUID)


@pytest.fixture(scope="module")
def server(database_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "PODSTORE_FRONTENDS__HASURA__PERMISSIONS": "public-read-user-write",
        "PODSTORE_FRONTENDS__HASURA__ADMINS": json.dumps([ADMIN]),
        "PODSTORE_FRONTENDS__HASURA__CORS_ORIGINS": json.dumps([APP]),
    }
    root = tmp_path_factory.mktemp("hasura")
    with running_server(root, database_url, ("hasura",), **env) as srv:
        yield srv


@pytest.fixture(scope="module")
def alice(server: Server) -> Account:
    return account(server)


@pytest.fixture(scope="module")
def bob(server: Server) -> Account:
    return account(server)


@pytest.fixture(scope="module")
def admin(server: Server) -> Account:
    return account(server, ADMIN)


def test_the_seed_examples(alice: Account) -> None:
    png = os.urandom(351_667)
    up = alice.files.post(f"/v1/file/{SEED_ID}", content=png, headers={"Content-Type": "image/png"})
    assert up.status_code == 200, up.text
    assert up.headers["content-type"] == "application/json"
    body = up.json()
    assert set(body) == METADATA_KEYS
    check_metadata(body)
    assert (body["file_id"], body["content_type"], body["file_size"]) == (
        SEED_ID,
        "image/png",
        351_667,
    )
    assert body["user_role"] == "user" and body["user_id"] >= 1
    down = alice.files.get(f"/v1/file/{SEED_ID}")
    assert down.status_code == 200 and down.content == png
    assert down.headers["content-type"] == "image/png"
    gone = alice.files.delete(f"/v1/file/{SEED_ID}")
    assert gone.status_code == 200 and gone.headers["content-type"] == "application/json"
    assert gone.json() == {**body, "status": "deleted"}
    missing = alice.files.get(f"/v1/file/{SEED_ID}")
    assert missing.status_code == 404 and set(missing.json()) == {"error"}


def test_the_js_sdk_way(server: Server, alice: Account) -> None:
    """Client-made UUIDs, `Content-Type: file.type`, `X-Hasura-Role`, then a plain link
    that carries only the `dinoisses` cookie, and an anonymous one (public read here)."""
    file_id, data = new_id(), os.urandom(3 * 1024 * 1024 + 5)
    headers = {"Content-Type": "application/pdf", "X-Hasura-Role": "user"}
    up = alice.files.post(f"/v1/file/{file_id}", content=data, headers=headers)
    assert up.status_code == 200 and up.json()["file_size"] == len(data)
    with hasura_client(server) as browser:
        browser.cookies.set("dinoisses", alice.native.token)
        assert browser.get(f"/v1/file/{file_id}").content == data
    with hasura_client(server) as anonymous:
        down = anonymous.get(f"/v1/file/{file_id}")
        assert down.content == data and down.headers["content-type"] == "application/pdf"
        part = anonymous.get(f"/v1/file/{file_id}", headers={"Range": "bytes=10-19"})
        assert part.status_code == 206 and part.content == data[10:20]
        head = anonymous.head(f"/v1/file/{file_id}")
        assert head.headers["content-length"] == str(len(data)) and head.content == b""


def test_the_web_app_may_call_it_from_the_browser(server: Server, alice: Account) -> None:
    asked = {
        "Origin": APP,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, x-hasura-role",
    }
    with hasura_client(server) as browser:
        preflight = browser.options(f"/v1/file/{new_id()}", headers=asked)
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == APP
        assert preflight.headers["access-control-allow-credentials"] == "true"
        other = browser.options(
            f"/v1/file/{new_id()}", headers={**asked, "Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers
    up = alice.files.post(f"/v1/file/{new_id()}", content=b"x", headers={"Origin": APP})
    assert up.headers["access-control-allow-origin"] == APP


def test_the_server_makes_an_id(alice: Account) -> None:
    up = alice.files.post("/v1/file", content=b"made here", headers={"Content-Type": "text/plain"})
    assert up.status_code == 200
    file_id = up.json()["file_id"]
    assert str(uuid.UUID(file_id)) == file_id
    assert alice.files.get(f"/v1/file/{file_id}").content == b"made here"


def test_put_upserts_and_the_native_api_shows_the_file(alice: Account) -> None:
    file_id = new_id()
    first = alice.files.put(
        f"/v1/file/{file_id}", content=b"one", headers={"Content-Type": "text/plain"}
    )
    assert first.status_code == 200
    again = alice.files.put(
        f"/v1/file/{file_id}", content=b"two!", headers={"Content-Type": "text/plain"}
    )
    assert again.status_code == 200
    assert again.json()["file_size"] == 4
    assert again.json()["created_at"] == first.json()["created_at"]  # the same file
    assert alice.files.get(f"/v1/file/{file_id}").content == b"two!"
    assert alice.files.post(f"/v1/file/{file_id}", content=b"x").status_code == 400
    names = [e["name"] for e in alice.native.get("/pods/filestore/list/").json()["entries"]]
    assert file_id in names
    assert alice.native.get(f"/pods/filestore/files/{file_id}").content == b"two!"
    versions = alice.native.get(f"/pods/filestore/versions/{file_id}").json()["versions"]
    assert len(versions) == 2


def test_who_may_do_what(server: Server, alice: Account, bob: Account, admin: Account) -> None:
    file_id = new_id()
    assert alice.files.post(f"/v1/file/{file_id}", content=b"alice's").status_code == 200
    assert bob.files.get(f"/v1/file/{file_id}").content == b"alice's"  # public read
    for answer in (
        bob.files.delete(f"/v1/file/{file_id}"),
        bob.files.put(f"/v1/file/{file_id}", content=b"bob's"),
        bob.files.get("/v1/file/x", headers={"X-Hasura-Role": "admin"}),
    ):
        assert answer.status_code == 403 and set(answer.json()) == {"error"}, answer.text
    with hasura_client(server) as anonymous:
        refused = anonymous.post(f"/v1/file/{new_id()}", content=b"x")
        assert refused.status_code == 401 and set(refused.json()) == {"error"}
    as_user = admin.files.delete(f"/v1/file/{file_id}", headers={"X-Hasura-Role": "user"})
    assert as_user.status_code == 403
    assert alice.files.get(f"/v1/file/{file_id}").content == b"alice's"
    deleted = admin.files.delete(f"/v1/file/{file_id}")  # admin is its default role
    assert deleted.status_code == 200 and deleted.json()["status"] == "deleted"
    assert alice.files.get(f"/v1/file/{file_id}").status_code == 404
    made = admin.files.post(f"/v1/file/{new_id()}", content=b"by admin")
    assert made.json()["user_role"] == "admin"


def test_identity_headers_count_for_nothing_without_a_gateway(
    server: Server, alice: Account
) -> None:
    file_id = new_id()
    owner = alice.files.post(f"/v1/file/{file_id}", content=b"kept").json()["user_id"]
    forged = {"X-Hasura-User-Id": str(owner), "X-Hasura-Role": "admin"}
    with hasura_client(server, **forged) as forger:
        assert forger.delete(f"/v1/file/{file_id}").status_code == 401
        assert forger.put(f"/v1/file/{file_id}", content=b"forged").status_code == 401
        assert forger.post(f"/v1/file/{new_id()}", content=b"forged").status_code == 401
    assert alice.files.get(f"/v1/file/{file_id}").content == b"kept"


def test_files_of_other_pods_have_no_id(alice: Account, bob: Account) -> None:
    assert alice.native.post("/pods", json={"name": "home"}).status_code == 201
    assert alice.native.put("/pods/home/files/secret.txt", content=b"native").is_success
    for who in (alice, bob):
        assert who.files.get("/v1/file/secret.txt").status_code == 404
        assert who.files.delete("/v1/file/secret.txt").status_code == 404
    assert alice.native.get("/pods/home/files/secret.txt").content == b"native"


def test_bad_input_in_hasuras_envelopes(server: Server, alice: Account) -> None:
    bad_id = alice.files.post("/v1/file/.hidden", content=b"x")
    assert bad_id.status_code == 400 and set(bad_id.json()) == {"path", "error"}
    too_long = alice.files.post(f"/v1/file/{'a' * 129}", content=b"x")
    assert too_long.status_code == 400
    with hasura_client(server, token="not-a-token") as stranger:
        assert stranger.get(f"/v1/file/{new_id()}").status_code == 401
    for answer, status in (
        (alice.files.get("/v1/other"), 404),
        (alice.files.get(f"/v1/file/{new_id()}"), 404),
        (alice.files.patch(f"/v1/file/{new_id()}", content=b"x"), 405),
        (alice.files.get("/v1/file/a/b"), 404),
    ):
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == "application/json"
        assert set(answer.json()) == {"error"}
