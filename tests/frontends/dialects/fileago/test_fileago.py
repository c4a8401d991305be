"""The FileAgo dialect against a real server: the seed's curl examples as written, the
Android client's forms, two users and a group, upload tokens, downloads by fileaccesskey,
and bad input answered in FileAgo's envelope."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import httpx

from tests.fixtures.server import PASSWORD, Server
from tests.frontends.dialects.fileago.client import FileAgo, curl, unique, with_email

LOGIN_KEYS = {"uuid", "token", "status", "msg", "is_admin", "fullname", "fileaccesskey", "avatar"}


def claims(jwt: str) -> dict[str, object]:
    payload = jwt.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "==="))
    return decoded


def test_admin_logs_in_by_name_and_has_no_drive(server: Server) -> None:
    # the first account of this module's fresh server is its administrator
    admin = server.new_user("admin", pod=None)
    fa = FileAgo(server, admin.name)
    assert fa.login["is_admin"] is True
    answer = fa.get("/api/nodes/home/dirlist")
    assert answer.status_code == 404
    assert answer.json() == {
        "status": "error",
        "msg": "the administrator has no drive of their own",
    }
    _, email = with_email(server, "plain")
    assert FileAgo(server, email).login["is_admin"] is False


def test_auth_as_the_seed_curl_sends_it(server: Server) -> None:
    user, email = with_email(server, "john")
    user.patch("/me", json={"display_name": "John Doe"})
    answer = curl(
        "-X",
        "POST",
        f"{server.url}/auth",
        "-d",
        json.dumps({"username": email, "password": PASSWORD}),
    )
    assert answer.status == 200
    body = answer.json()
    assert set(body) == LOGIN_KEYS
    assert (body["status"], body["msg"], body["uuid"]) == (
        "success",
        "Login successful.",
        user.user_id,
    )
    assert (body["fullname"], body["avatar"]) == ("John Doe", "/images/default_avatar.png")
    token = claims(body["token"])
    assert (token["username"], token["uuid"]) == (email, user.user_id)
    assert abs(int(str(token["exp"])) - (time.time() + 24 * 3600)) < 120  # valid 24 h
    wrong = curl(
        "-X",
        "POST",
        f"{server.url}/auth",
        "-d",
        json.dumps({"username": email, "password": "nope nope nope"}),
    )
    assert wrong.status == 401 and wrong.json()["status"] == "error"
    form = curl("-X", "POST", f"{server.url}/auth", "-F", f"username={email}")
    assert form.status == 400 and form.json()["status"] == "error"


def test_every_seed_example(server: Server, tmp_path: Path) -> None:
    user, email = with_email(server, "seed")
    fa = FileAgo(server, email)
    token, host = fa.login["token"], server.url
    auth = ["-H", f"Authorization: Bearer {token}", "-H", "Content-Type: application/json"]

    def post(node: str, body: str) -> int:
        return curl("-X", "POST", f"{host}/api/nodes/{node}", *auth, "-d", body).status

    # Create folder, on the user's own home: "a user does not need to include own user UUID"
    assert post("home", '{\n"new_dir": "Misc"\n}') == 204
    assert post("home", '{\n"new_dir": "Archive"\n}') == 204
    listing = curl(f"{host}/api/nodes/home/dirlist", *auth)
    assert listing.status == 200
    body = listing.json()
    assert (body["status"], body["msg"]) == ("success", "Directory contents fetched successfully")
    folders = {e["name"]: e for e in body["data"]}
    misc, archive = folders["Misc"]["uuid"], folders["Archive"]["uuid"]
    assert set(folders["Misc"]) == {
        "is_starred", "public_shares", "name", "size", "comment_count", "uuid",
        "private_shares", "updated", "type",
    }  # fmt: skip
    assert folders["Misc"]["type"] == "Dir" and folders["Misc"]["updated"] > 1e12  # ms

    # Create new file: an upload token, then curl -F
    answer = curl(f"{host}/api/nodes/{misc}/upload", *auth)
    assert answer.status == 200
    grant = answer.json()
    assert (grant["status"], grant["msg"]) == (
        "success",
        "This token is valid for next 5 seconds only",
    )
    (tmp_path / "filename.txt").write_bytes(b"first draft\n")
    uploaded = curl(f"{host}/upload/{grant['token']}", "-F", f"file=@{tmp_path / 'filename.txt'}")
    assert uploaded.status == 200
    assert uploaded.json() == {"status": "success", "msg": "File(s) uploaded successfully"}
    entry = fa.dirlist(misc)["filename.txt"]
    assert (entry["type"], entry["size"], entry["revision"]) == ("File", 12, 1)
    file_id = entry["uuid"]

    # Create new file revision: the token is taken on the file
    (tmp_path / "filename.txt").write_bytes(b"second draft, longer\n")
    grant = curl(f"{host}/api/nodes/{file_id}/upload", *auth).json()
    assert (
        curl(f"{host}/upload/{grant['token']}", "-F", f"file=@{tmp_path / 'filename.txt'}").status
        == 200
    )
    assert fa.dirlist(misc)["filename.txt"]["revision"] == 2

    # Get details of a node
    details = curl(f"{host}/api/nodes/{misc}", *auth).json()
    assert (details["status"], details["msg"]) == ("success", "Node info fetched successfully")
    assert details["data"]["name"] == "Misc" and details["data"]["type"] == "Dir"
    assert (details["data"]["owner_type"], details["data"]["owner_uuid"]) == ("User", user.user_id)
    assert set(details["data"]) == {
        "name", "type", "uuid", "owner_type", "owner_uuid", "owner_fullname", "created", "updated"
    }  # fmt: skip

    # Get path of a node
    path = curl(f"{host}/api/nodes/{file_id}/path", *auth).json()
    assert (path["status"], path["msg"]) == ("success", "Node path fetched successfully")
    assert path["data"] == [
        {"name": "Home", "uuid": "home"},
        {"name": "Misc", "uuid": misc},
        {"name": "filename.txt", "uuid": file_id},
    ]

    # Mark as favorite, rename, copy, move, delete
    assert post(file_id, '{\n"starred": true\n}') == 204
    assert fa.dirlist(misc)["filename.txt"]["is_starred"] is True
    assert "filename.txt" in fa.dirlist("favorites")
    assert post(file_id, '{\n"new_name": "notes.txt"\n}') == 204
    assert post(file_id, f'{{\n"copy_to": "{archive}"\n}}') == 204
    assert set(fa.dirlist(archive)) == {"notes.txt"}
    assert post(file_id, f'{{\n"move_to": "{archive}"\n}}') == 409  # the copy holds the name
    assert post(misc, f'{{\n"move_to": "{archive}"\n}}') == 204
    assert set(fa.dirlist(archive)) == {"notes.txt", "Misc"}
    assert fa.dirlist("home")["Archive"]["size"] == 2  # a folder's size counts its items
    deleted = curl(
        "-X", "DELETE", f"{host}/api/nodes/{misc}", "-H", f"Authorization: Bearer {token}"
    )
    assert deleted.status == 204
    assert "Misc" in fa.dirlist("trash") and set(fa.dirlist(archive)) == {"notes.txt"}
    assert fa.get(f"/api/nodes/{file_id}").status_code == 404  # in the trash with its folder

    # Share a copy with another user: it lands in their Incoming
    bob, bob_email = with_email(server, "bob")
    bob_fa = FileAgo(server, bob_email)
    copy_id = fa.dirlist(archive)["notes.txt"]["uuid"]
    assert post(copy_id, f'{{\n"share_copy_with": ["{bob.user_id}"]\n}}') == 204
    incoming = bob_fa.dirlist("incoming")
    assert set(incoming) == {"notes.txt"}
    assert bob_fa.download(incoming["notes.txt"]["uuid"]).content == b"second draft, longer\n"


def test_android_client_forms(server: Server) -> None:
    alice, email = with_email(server, "droid")
    owner = server.new_user("owner")
    group = owner.post("/groups", json={"name": unique("team")}).json()
    owner.post(f"/groups/{group['name']}/members", json={"user": alice.name, "role": "editor"})
    owner.post(f"/groups/{group['name']}/pods", json={"name": "home"})
    fa = FileAgo(server, email)  # posts to /auth/ as the app does
    groups = fa.ok("GET", "/api/groups/")
    assert groups["data"] == [{"group_name": group["name"], "group_uuid": group["id"]}]
    # the app writes the colon as %3A, with a trailing slash
    assert fa.act(f"home:{group['id']}", new_dir="Shared plans").status_code == 204
    listed = fa.ok("GET", f"/api/nodes/home%3A{group['id']}/dirlist/")["data"]
    assert [e["name"] for e in listed] == ["Shared plans"]
    folder = listed[0]["uuid"]
    assert fa.post(f"/api/nodes/{folder}/", json={"starred": True}).status_code == 204
    details = fa.ok("GET", f"/api/nodes/{folder}")["data"]
    assert (details["owner_type"], details["owner_uuid"]) == ("Group", group["id"])
    assert fa.ok("GET", f"/api/nodes/{folder}/myaccess")["data"] == [
        "read", "download", "write", "upload", "delete"
    ]  # fmt: skip
    assert fa.ok("GET", f"/api/nodes/{folder}/path")["data"][0] == {
        "name": group["name"], "uuid": f"home:{group['id']}"
    }  # fmt: skip
    assert fa.upload(folder, "ToDo.txt", b"milk").status_code == 200
    todo = fa.dirlist(folder)["ToDo.txt"]["uuid"]
    url = f"/resources/auth/download/{fa.key}/{todo}/999999999999999/ToDo.txt"
    answer = httpx.get(server.url + url)  # no Authorization: the key is in the path
    assert (answer.status_code, answer.content) == (200, b"milk")
    assert set(fa.dirlist(f"favorites:{group['id']}")) == {"Shared plans"}


def test_two_users_and_a_group(server: Server) -> None:
    alice_user, alice_email = with_email(server, "alice")
    bob_user, bob_email = with_email(server, "bob")
    name = unique("crew")
    group = alice_user.post("/groups", json={"name": name}).json()
    alice_user.post(f"/groups/{name}/members", json={"user": bob_user.name, "role": "editor"})
    alice_user.post(f"/groups/{name}/pods", json={"name": "home"})
    alice, bob = FileAgo(server, alice_email), FileAgo(server, bob_email)
    space = f"home:{group['id']}"
    assert alice.act(space, new_dir="docs").status_code == 204
    docs = alice.dirlist(space)["docs"]["uuid"]
    first, second = os.urandom(200_000), os.urandom(70_000)  # chunked, then inline
    assert alice.upload(docs, "report.bin", first).status_code == 200
    report = alice.dirlist(docs)["report.bin"]["uuid"]
    assert bob.upload(report, "ignored.bin", second).status_code == 200  # a revision
    assert bob.download(report).content == second
    assert bob.download(report, "1").content == first
    assert alice.download(report, "2").content == second
    assert alice.download(report, "3").status_code == 404

    # a copy shared with the group reaches its other members' Incoming, not the sender's
    assert alice.act(report, share_copy_with=[group["id"]]).status_code == 204
    copy = bob.dirlist("incoming")["report.bin"]
    assert bob.download(copy["uuid"]).content == second
    assert alice.dirlist("incoming") == {}
    assert bob.act(copy["uuid"], starred=True).status_code == 204
    assert "report.bin" in bob.dirlist("favorites")
    assert bob.act(copy["uuid"], move_to="home").status_code == 400  # another drive
    assert bob.act(copy["uuid"], new_name="mine.bin").status_code == 204
    assert bob.delete(f"/api/nodes/{copy['uuid']}").status_code == 204
    assert set(bob.dirlist("trash")) == {"mine.bin"}
    assert alice.download(report).content == second  # the original is untouched
    assert alice.delete(f"/api/nodes/{docs}").status_code == 204
    assert set(bob.dirlist(f"trash:{group['id']}")) == {"docs"}


def test_upload_tokens_are_spent_once(server: Server) -> None:
    _, email = with_email(server, "once")
    fa = FileAgo(server, email)
    token = fa.ok("GET", "/api/nodes/home/upload")["token"]
    first = httpx.post(f"{server.url}/upload/{token}", files={"file": ("a.txt", b"a")})
    assert first.status_code == 200
    again = httpx.post(f"{server.url}/upload/{token}", files={"file": ("b.txt", b"b")})
    assert again.status_code == 401 and again.json()["status"] == "error"
    assert set(fa.dirlist()) == {"a.txt"}
    bogus = httpx.post(f"{server.url}/upload/not-a-token", files={"file": ("c.txt", b"c")})
    assert bogus.status_code == 401


def test_a_fileaccesskey_reaches_only_its_owners_files(server: Server) -> None:
    _, alice_email = with_email(server, "keya")
    _, bob_email = with_email(server, "keyb")
    alice, bob = FileAgo(server, alice_email), FileAgo(server, bob_email)
    alice.upload("home", "secret.txt", b"alice only")
    secret = alice.dirlist()["secret.txt"]["uuid"]
    assert alice.download(secret).content == b"alice only"
    stolen = bob.get(f"/resources/auth/download/{bob.key}/{secret}/999999999999999/x")
    assert stolen.status_code == 404
    for credential in (alice.key, "0" * 32 + ".AAAA"):
        native = httpx.get(
            f"{server.api_url}/pods", headers={"Authorization": f"Bearer {credential}"}
        )
        assert native.status_code == 401  # a download key is no bearer token
        fileago = httpx.get(
            f"{server.url}/api/nodes/home/dirlist",
            headers={"Authorization": f"Bearer {credential}"},
        )
        assert fileago.status_code == 401
    assert httpx.get(f"{server.url}/api/nodes/home/dirlist").json() == {
        "status": "error", "msg": "send the token from /auth as Authorization: Bearer <token>"
    }  # fmt: skip


def test_bad_input_gets_the_envelope(server: Server) -> None:
    _, email = with_email(server, "bad")
    fa = FileAgo(server, email)
    fa.act("home", new_dir="d")
    folder = fa.dirlist()["d"]["uuid"]
    cases = [
        (fa.act(folder, rename_to="x"), 400),
        (fa.act(folder, new_name="x", starred=True), 400),
        (fa.act(folder, starred="yes"), 400),
        (fa.act(folder, share_copy_with="someone"), 400),
        (fa.act(folder, share_copy_with=["00000000-0000-4000-8000-000000000000"]), 404),
        (fa.post(f"/api/nodes/{folder}", content=b"not json"), 400),
        (fa.post(f"/api/nodes/{folder}", files={"new_dir": ("x", b"y")}), 400),
        (fa.get("/api/nodes/not-a-uuid"), 400),
        (fa.get("/api/nodes/home:not-a-uuid/dirlist"), 400),
        (fa.get("/api/nodes/00000000-0000-4000-8000-000000000000"), 404),
        (fa.get(f"/resources/auth/download/{fa.key}/{folder}/latest/x"), 400),
        (fa.delete("/api/nodes/trash"), 400),
        (fa.act("favorites", new_dir="x"), 400),
        (httpx.post(f"{server.url}/upload/x", content=b"raw"), 401),
    ]
    for answer, status in cases:
        assert answer.status_code == status, (answer.request.url, answer.text)
        assert answer.json()["status"] == "error", answer.text
    forged = fa.login["token"][:-3] + "abc"
    assert (
        httpx.get(
            f"{server.url}/api/nodes/home", headers={"Authorization": f"Bearer {forged}"}
        ).status_code
        == 401
    )
    token = fa.ok("GET", f"/api/nodes/{folder}/upload")["token"]
    not_multipart = httpx.post(f"{server.url}/upload/{token}", content=b"raw bytes")
    assert not_multipart.status_code == 400 and not_multipart.json()["status"] == "error"
    token = fa.ok("GET", f"/api/nodes/{folder}/upload")["token"]
    no_file = httpx.post(f"{server.url}/upload/{token}", data={"file": "just a field"}, files={})
    assert no_file.status_code == 400
