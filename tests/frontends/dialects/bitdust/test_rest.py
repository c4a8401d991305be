"""BitDust's REST API (8180): the envelope byte for byte, every route in its three spellings,
BitDust's texts for bad input, the API secret, and the catalog, keys, shares, friends,
messages and groups through it."""

from __future__ import annotations

import re
from typing import Any

import httpx

from podstore.frontends.dialects.bitdust.routes import ROUTES
from tests.frontends.dialects.bitdust.engine import BitDust

Json = dict[str, Any]


def ok(response: httpx.Response) -> Json:
    assert response.status_code == 200
    body: Json = response.json()
    assert body["status"] == "OK", body
    return body


def refused(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    body: Json = response.json()
    assert body["status"] == "ERROR", body
    errors: list[str] = body["errors"]
    return errors


def test_the_envelope_is_bitdusts_json_layout(bitdust: BitDust) -> None:
    with bitdust.rest() as rest:
        health = rest.get("/process/health/v1")
        created = rest.post("/file/create/v1", json={"remote_path": bitdust.remote("layout")})
    assert health.headers["content-type"] == "application/json"
    assert health.headers["access-control-allow-origin"] == "*"
    assert re.fullmatch(r'\{\n  "execution": "\d+\.\d{6}",\n  "status": "OK"\n\}\n', health.text)
    body = created.json()
    assert list(body) == sorted(body) and list(body["result"]) == sorted(body["result"])
    assert created.text.startswith('{\n  "execution": "') and created.text.endswith("}\n")


def _spellings_agree(
    bitdust: BitDust, rest: httpx.Client, method: str, paths: tuple[str, ...]
) -> None:
    answers = []
    for path in paths:
        path = re.sub(r"\{\w+\}", "x", path)
        sent = rest.request(
            method, path, params={"polling_timeout": "0"}, json={} if method != "GET" else None
        )
        assert sent.status_code == 200, (path, sent.text)
        body = sent.json()
        assert not any("was not found" in e for e in body.get("errors", [])), (path, body)
        answers.append((body["status"], body.get("errors")))
    assert all(a == answers[0] for a in answers), (paths, answers)


def test_every_route_answers_in_all_its_spellings(bitdust: BitDust) -> None:
    with bitdust.rest() as rest:
        ok(rest.post("/file/create/v1", json={"remote_path": bitdust.remote("spellings")}))
        for route in ROUTES:
            if (
                route.api in ("process_stop", "process_restart", "process_debug")
                or route.method == "GET"
            ):
                _spellings_agree(bitdust, rest, route.method, route.paths)
            elif route.api != "identity_erase":  # a write: each spelling reaches its method
                for path in route.paths:
                    path = re.sub(r"\{\w+\}", "x", path)
                    body = rest.request(route.method, path).json()
                    assert not any("was not found" in e for e in body.get("errors", [])), path


def test_bad_input_gets_bitdusts_texts_never_a_crash(bitdust: BitDust) -> None:
    with bitdust.rest() as rest:
        assert refused(rest.get("/no/such/route")) == ["method GET:/no/such/route was not found"]
        assert refused(rest.post("/f/c", content=b"{not json")) == ["invalid json input"]
        assert refused(rest.post("/f/c", content=b"[1, 2]")) == ["invalid json input"]
        assert refused(rest.post("/f/c")) == ["mandatory json input missed: ['remote_path']"]
        assert refused(rest.post("/f/c", json={"x": 1})) == [
            "one of mandatory parameters missed: ['remote_path']"
        ]
        assert refused(rest.get("/f/e")) == ["mandatory url query argument missed: remote_path"]
        assert refused(rest.post("/msg/s", json={"data": {}})) == [
            "one of mandatory parameters missed: ('recipient_id', 'idurl', 'global_id', 'id')"
        ]
        huge = b'{"remote_path": "' + b"a" * (2 * 1024 * 1024) + b'"}'
        assert "at most" in refused(rest.post("/f/c", content=huge))[0]
        for bad in ["master$nobody", "a$b@c:x:y/../z", "master$x@localhost:../etc", "$@:"]:
            errors = refused(rest.post("/f/c", json={"remote_path": bad}))
            assert errors[0].startswith("invalid") or "not registered" in errors[0], (bad, errors)
        assert (
            "not registered"
            in refused(
                rest.get("/f/i", params={"remote_path": "nokey$" + bitdust.user + "@localhost:a"})
            )[0]
        )
        assert "blockchain" in refused(rest.get("/blockchain/info/v1"))[0]
        assert "allow_operator_actions" in refused(rest.get("/process/stop/v1"))[0]
        assert "allow_operator_actions" in refused(rest.post("/su/c", json={"position": 0}))[0]
        assert ok(rest.get("/supplier/list/v1"))["ecc_map"] == "podstore/1+0"
        assert ok(rest.get("/process/health/v1"))  # still serving


def test_the_api_secret_decides_who_acts(bitdust: BitDust) -> None:
    other = bitdust.server.new_user("bob")
    for secret in ["", "wrong", bitdust.secret + "x", "abc.def"]:
        with bitdust.rest(secret) as rest:
            assert refused(rest.get("/identity/get/v1")) == ["access denied"]
    with bitdust.rest(other.token) as rest:
        assert ok(rest.get("/i/g"))["result"]["name"] == other.name
        assert refused(rest.post("/i/c", json={"username": "someone"}))[0].startswith(
            "access denied"
        )
    with bitdust.rest() as rest:
        assert ok(rest.get("/i/g"))["result"]["global_id"] == f"{bitdust.user}@localhost"
        assert refused(rest.post("/i/c", json={"username": "again"})) == [
            "local identity already exist"
        ]


def _upload(rest: httpx.Client, local: str, remote: str) -> Json:
    return ok(
        rest.post(
            "/file/upload/start/v1",
            json={"local_path": local, "remote_path": remote, "wait_result": "1"},
        )
    )


def test_files_upload_versions_download_and_delete(bitdust: BitDust) -> None:
    (bitdust.local / "photo.raw").write_bytes(data := bytes(range(256)) * 9000)
    (bitdust.local / "note.txt").write_bytes(b"v1")
    remote = bitdust.remote("album/photo.raw")
    with bitdust.rest() as rest:
        assert (
            "parent folder album was not found"
            in refused(rest.post("/f/c", json={"remote_path": remote}))[0]
        )
        ok(rest.post("/f/c", json={"remote_path": bitdust.remote("album"), "as_folder": "yes"}))
        upload = {"local_path": str(bitdust.local / "photo.raw"), "remote_path": remote}
        assert refused(rest.post("/f/u/o", json=upload)) == [
            "path album/photo.raw was not registered yet"
        ]
        ok(rest.post("/v1/file/create", json={"remote_path": remote}))
        assert ok(rest.get("/f/e", params={"remote_path": remote}))["result"]["exist"] is True
        assert _upload(rest, str(bitdust.local / "photo.raw"), remote)["result"]["version"] == 1
        note = bitdust.remote("album/note.txt")
        ok(rest.post("/f/c", json={"remote_path": note}))
        for text in [b"v1", b"v2", b"v3"]:
            (bitdust.local / "note.txt").write_bytes(text)
            _upload(rest, str(bitdust.local / "note.txt"), note)
        info = ok(rest.get("/file/info/v1", params={"remote_path": note}))["result"]
        assert [v["version"] for v in info["versions"]] == [3, 2]  # BitDust keeps 2
        assert info["latest"] == info["versions"][0]["label"] and info["size"] == 2
        listed = ok(rest.get("/file/list/v1", params={"remote_path": bitdust.remote("album")}))
        assert {e["name"]: e["type"] for e in listed["result"]} == {
            "photo.raw": "file",
            "note.txt": "file",
        }
        assert listed["revision"] == 0
        (bitdust.local / "out").mkdir()
        down = {
            "remote_path": remote,
            "destination_folder": str(bitdust.local / "out"),
            "wait_result": True,
        }
        got = ok(rest.post("/file/download/start/v1", json=down))["result"]
        assert got["local_path"] == str(bitdust.local / "out" / "photo.raw")
        assert (bitdust.local / "out" / "photo.raw").read_bytes() == data
        ok(rest.request("DELETE", "/file/delete/v1", json={"remote_path": remote}))
        assert ok(rest.get("/f/e", params={"remote_path": remote}))["result"]["exist"] is False
        assert ok(rest.get("/f/u/l"))["result"] == {"running": [], "pending": []}


def test_local_paths_stay_inside_the_roots(bitdust: BitDust, tmp_path: Any) -> None:
    remote = bitdust.remote("roots.txt")
    outside = tmp_path / "secret.txt"
    outside.write_text("not yours")
    with bitdust.rest() as rest:
        ok(rest.post("/f/c", json={"remote_path": remote}))
        for local in [
            str(outside),
            "/etc/passwd",
            str(bitdust.local / ".." / "data" / "podstore.db"),
            "relative.txt",
        ]:
            errors = refused(rest.post("/f/u/o", json={"local_path": local, "remote_path": remote}))
            assert errors == [f"local file or folder {local} not exist"]
        down = {"remote_path": bitdust.remote(""), "destination_folder": str(tmp_path)}
        assert "not exist" in refused(rest.post("/f/d/o", json=down))[0]


def test_shares_grant_a_pod_and_nothing_else(bitdust: BitDust) -> None:
    bob, carol = bitdust.server.new_user("bob"), bitdust.server.new_user("carol")
    (bitdust.local / "plan.txt").write_bytes(b"the plan")
    with (
        bitdust.rest() as alice,
        bitdust.rest(bob.token) as as_bob,
        bitdust.rest(carol.token) as as_carol,
    ):
        share = ok(alice.post("/share/create/v1", json={"label": "team"}))["result"]
        key_id = share["key_id"]
        assert key_id.startswith("share_") and key_id.endswith(f"${bitdust.user}@localhost")
        plan = f"{key_id}:plan.txt"
        ok(alice.post("/f/c", json={"remote_path": plan}))
        _upload(alice, str(bitdust.local / "plan.txt"), plan)
        assert "not registered" in refused(as_bob.get("/f/i", params={"remote_path": plan}))[0]
        ok(
            alice.put(
                "/share/grant/v1",
                json={"key_id": key_id, "trusted_user_id": f"{bob.name}@localhost"},
            )
        )
        assert ok(as_bob.get("/f/i", params={"remote_path": plan}))["result"]["size"] == 8
        assert key_id in [s["key_id"] for s in ok(as_bob.get("/sh/l"))["result"]]
        assert "not registered" in refused(as_carol.get("/f/i", params={"remote_path": plan}))[0]
        master = bitdust.remote("", user=bitdust.user)
        assert "not registered" in refused(as_bob.get("/f/l", params={"remote_path": master}))[0]
        ok(alice.request("DELETE", "/share/delete/v1", json={"key_id": key_id}))
        assert refused(as_bob.get("/f/i", params={"remote_path": plan}))


def test_friends_messages_and_groups(bitdust: BitDust) -> None:
    bob = bitdust.server.new_user("bob")
    with bitdust.rest() as alice, bitdust.rest(bob.token) as as_bob:
        ok(
            alice.post(
                "/friend/add/v1",
                json={"trusted_user_id": f"{bob.name}@localhost", "alias": "bobby"},
            )
        )
        friends = ok(alice.get("/fr/l"))["result"]
        assert [(f["global_id"], f["alias"]) for f in friends] == [
            (f"{bob.name}@localhost", "bobby")
        ]
        ok(as_bob.get("/message/receive/inbox/v1", params={"polling_timeout": "0"}))
        sent = {"recipient_id": f"{bob.name}@localhost", "data": {"message": "hi bob"}}
        assert ok(alice.post("/message/send/v1", json=sent))["message"] == "message sent"
        received = ok(as_bob.get("/message/receive/inbox/v1", params={"polling_timeout": "5"}))[
            "result"
        ]
        assert [(m["data"], m["sender"]["global_id"]) for m in received] == [
            ({"message": "hi bob"}, f"{bitdust.user}@localhost")
        ]
        history = ok(as_bob.get("/message/history/v1", params={"id": bitdust.user}))["result"]
        assert [m["data"]["message"] for m in history] == ["hi bob"]
        group = ok(alice.post("/group/create/v1", json={"label": "team"}))["result"]["group_key_id"]
        ok(alice.put("/group/share/v1", json={"group_key_id": group, "trusted_user_id": bob.name}))
        assert group in [g["group_key_id"] for g in ok(as_bob.get("/group/list/v1"))["result"]]
        ok(
            alice.post(
                "/message/send/group/v1", json={"group_key_id": group, "data": {"text": "all"}}
            )
        )
        got = ok(as_bob.get("/message/receive/inbox/v1", params={"polling_timeout": "5"}))["result"]
        assert [(m["type"], m["data"]) for m in got] == [("group_message", {"text": "all"})]
        ok(as_bob.request("DELETE", "/group/leave/v1", json={"group_key_id": group}))
        assert refused(
            as_bob.post("/message/send/group/v1", json={"group_key_id": group, "data": {}})
        )
        ok(alice.request("DELETE", "/friend/remove/v1", json={"user_id": bob.name}))
        assert ok(alice.get("/fr/l")).get("result", []) == []


def test_keys_are_rsa_and_a_shared_key_opens_its_files_for_the_grantee(bitdust: BitDust) -> None:
    bob, carol = bitdust.server.new_user("bob"), bitdust.server.new_user("carol")
    me = f"{bitdust.user}@localhost"
    with (
        bitdust.rest() as alice,
        bitdust.rest(bob.token) as as_bob,
        bitdust.rest(carol.token) as as_carol,
    ):
        created = ok(
            alice.post("/key/create/v1", json={"alias": "trip", "key_size": "1024", "label": "x"})
        )
        key_id = created["result"]["key_id"]
        assert key_id == f"trip${me}" and created["result"]["public"].startswith("ssh-rsa ")
        assert created["result"]["private"] is None
        private = ok(alice.get("/k/g", params={"key_id": key_id, "include_private": "1"}))["result"]
        assert private["private"].startswith("-----BEGIN PRIVATE KEY-----")
        assert (
            ok(alice.post("/key/label/v1", json={"key_id": key_id, "label": "trip 2026"}))[
                "result"
            ]["label"]
            == "trip 2026"
        )
        assert (
            ok(alice.post("/key/state/v1", json={"key_id": key_id, "active": "0"}))["result"][
                "active"
            ]
            is False
        )
        aliases = {k["alias"] for k in ok(alice.get("/key/list/v1"))["result"]}
        assert {"master", "trip"} <= aliases
        assert ok(alice.get("/i/g"))["result"]["publickey"].startswith("ssh-rsa ")
        (bitdust.local / "map.txt").write_bytes(b"the map")
        ok(alice.post("/f/c", json={"remote_path": f"{key_id}:map.txt"}))
        _upload(alice, str(bitdust.local / "map.txt"), f"{key_id}:map.txt")
        ok(alice.put("/key/share/v1", json={"key_id": key_id, "trusted_user_id": bob.name}))
        held = ok(as_bob.get("/k/g", params={"key_id": key_id, "include_private": "yes"}))["result"]
        assert held["private"] == private["private"]
        assert (
            ok(as_bob.get("/f/i", params={"remote_path": f"{key_id}:map.txt"}))["result"]["size"]
            == 7
        )
        assert "not registered" in refused(as_carol.get("/k/g", params={"key_id": key_id}))[0]
        assert (
            "not registered"
            in refused(as_bob.get("/k/g", params={"key_id": f"trip${bob.name}@localhost"}))[0]
        )
        assert refused(
            as_bob.put("/key/share/v1", json={"key_id": key_id, "trusted_user_id": carol.name})
        )
        assert (
            "master key can not be erased"
            in refused(alice.request("DELETE", "/k/d", json={"key_id": f"master${me}"}))[0]
        )
        ok(alice.request("DELETE", "/key/erase/v1", json={"key_id": key_id}))
        assert refused(as_bob.get("/f/i", params={"remote_path": f"{key_id}:map.txt"}))


def test_identity_backup_erase_and_recover(bitdust: BitDust) -> None:
    backup = bitdust.local / "identity-backup.json"
    with bitdust.rest() as rest:
        before = ok(rest.get("/identity/get/v1"))["result"]
        ok(rest.post("/identity/backup/v1", json={"destination_filepath": str(backup)}))
        assert backup.stat().st_mode & 0o077 == 0
        outside = {"destination_filepath": "/tmp/stolen-identity.json"}
        assert "not exist" in refused(rest.post("/identity/backup/v1", json=outside))[0]
        ok(rest.request("DELETE", "/identity/erase/v1", json={}))
        assert refused(rest.get("/i/g")) == ["local identity is not valid or not exist"]
        assert (
            "not a podstore identity backup"
            in refused(rest.post("/identity/recover/v1", json={"private_key_source": "garbage"}))[0]
        )
        ok(rest.post("/identity/recover/v1", json={"private_key_local_file": str(backup)}))
        after = ok(rest.get("/identity/get/v1"))["result"]
    assert (after["global_id"], after["publickey"]) == (before["global_id"], before["publickey"])
