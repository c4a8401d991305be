"""Bad input on both listeners, from the issue's list: malformed remote paths, unknown key
ids, local paths outside the roots, `..` anywhere, huge or deeply nested JSON and bad
WebSocket frames. Each gets BitDust's `ERROR` (never `internal error`, never a dropped
connection), and nothing outside what the caller may reach is read or changed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx

from tests.frontends.dialects.bitdust.engine import BitDust, Socket

Json = dict[str, Any]


def refused(reply: Json) -> str:
    assert reply["status"] == "ERROR", reply
    assert reply.get("reason") != "internal", reply
    first: str = reply["errors"][0]
    return first


def rest_refused(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return refused(response.json())


def test_malformed_remote_paths_are_invalid_in_every_method(bitdust: BitDust) -> None:
    sock = bitdust.socket()
    me = bitdust.user
    (bitdust.local / "any.txt").write_bytes(b"x")
    malformed = [
        "master$nobody",
        "$@:",
        "master$@localhost:x",
        f"master${me}@:x",
        "a$b@c:x:y/../z",
        f"master${me}@localhost:../etc",
        f"master${me}@localhost:a/../../b",
        "a/../b",
        f"master${me}@localhost:a\x00b",
        "a/b$c@d:x",
    ]
    calls = {
        "file_create": {},
        "file_info": {},
        "file_exists": {},
        "files_list": {},
        "file_delete": {},
        "file_upload_start": {"local_path": str(bitdust.local / "any.txt")},
        "file_download_start": {},
        "share_create": {},
    }
    for method, extra in calls.items():
        for text in malformed:
            error = refused(sock.call(method, remote_path=text, **extra))
            assert error.startswith(("invalid", "key")), (method, text, error)
        for wrong_type in [{"a": 1}, ["x"], True]:
            error = refused(sock.call(method, remote_path=wrong_type, **extra))
            assert "remote_path" in error, (method, wrong_type, error)
    assert sock.call("files_list")["status"] == "OK"  # the catalog is untouched and served


def test_unknown_key_ids_never_open_anything(bitdust: BitDust) -> None:
    bob = bitdust.server.new_user("bob")
    as_bob = bitdust.socket(bob.token)
    assert as_bob.call("key_create", key_alias="bobs", key_size=1024)["status"] == "OK"
    sock = bitdust.socket()
    me = bitdust.user
    unknown = [
        f"nokey${me}@localhost",
        f"bobs${me}@localhost",  # bob's alias under my name
        f"bobs${bob.name}@localhost",  # bob's key, never given to me
        f"master${bob.name}@localhost",
        f"master${me}@elsewhere.net",
    ]
    malformed = ["", "$", "bad key$x", f"a/b${me}@localhost", f"..${me}@localhost", "a$b:c@d"]
    for method in ["key_get", "key_erase", "key_label", "share_info", "share_open", "share_delete"]:
        for key_id in unknown:
            error = refused(sock.call(method, key_id=key_id, label="l"))
            assert "is not registered" in error, (method, key_id, error)
        for key_id in malformed:
            error = refused(sock.call(method, key_id=key_id, label="l"))
            assert error.startswith(("invalid", "mandatory")), (method, key_id, error)
    for key_id in unknown:
        assert "not registered" in refused(sock.call("files_list", key_id=key_id))
        granted = sock.call("share_grant", key_id=key_id, trusted_user_id=bob.name)
        assert "not registered" in refused(granted)
    assert as_bob.call("key_get", key_id="bobs")["status"] == "OK"  # bob's key is still his


def test_local_paths_outside_the_roots_or_through_links_are_refused(
    bitdust: BitDust, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not yours")
    folder = bitdust.local / "linked"
    folder.mkdir()
    (folder / "fine.txt").write_bytes(b"fine")
    os.symlink(outside, folder / "escape.txt")
    os.symlink(tmp_path, bitdust.local / "escape-dir")
    sock = bitdust.socket()
    remote = bitdust.remote("outside.txt")
    assert sock.call("file_create", remote_path=remote)["status"] == "OK"
    for local in [
        str(outside),
        str(bitdust.local / "escape-dir" / "outside.txt"),
        str(folder / "escape.txt"),
        str(bitdust.local / "linked" / ".." / ".." / "data" / "bitdust" / "apisecret"),
        f"{bitdust.local}/a\x00b",
        "~/.bitdust/apisecret",
        "relative.txt",
    ]:
        error = refused(sock.call("file_upload_start", local_path=local, remote_path=remote))
        assert error == f"local file or folder {local} not exist", error
    tree = bitdust.remote("linked")
    assert sock.call("file_create", remote_path=tree, as_folder=1)["status"] == "OK"
    upload = sock.call("file_upload_start", local_path=str(folder), remote_path=tree, wait_result=1)
    assert "not exist" in refused(upload)  # the link inside the folder is refused on the way
    listed = sock.call("files_list", remote_path=tree)["result"]
    assert "escape.txt" not in {entry["name"] for entry in listed}
    for destination in [str(tmp_path), str(bitdust.local / ".." / "data")]:
        down = {"remote_path": bitdust.remote(""), "destination_folder": destination}
        assert "not exist" in refused(sock.call("file_download_start", **down))
        backup = sock.call("identity_backup", destination_filepath=f"{destination}/id.json")
        assert "not exist" in refused(backup)
    assert not (tmp_path / "id.json").exists() and outside.read_bytes() == b"not yours"


def test_huge_and_deeply_nested_json_are_invalid_input(bitdust: BitDust) -> None:
    nested = b"[" * 200_000 + b"]" * 200_000  # inside the size limit, too deep for a parser
    with bitdust.rest() as rest:
        assert rest_refused(rest.post("/f/c", content=nested)) == "invalid json input"
        body = b'{"remote_path": ' + nested + b"}"
        assert rest_refused(rest.post("/f/c", content=body)) == "invalid json input"
        label = {"key_id": "master", "label": "l" * 500_000}
        assert "255" in rest_refused(rest.post("/key/label/v1", json=label))
        assert rest.get("/process/health/v1").json()["status"] == "OK"
    sock = bitdust.socket()
    sock.send(nested.decode())
    assert sock.answer(None)["errors"] == ["invalid json input"]
    frame = '{"command": "api_call", "method": "file_info", "call_id": 1, "kwargs": '
    sock.send(frame + nested.decode() + "}")
    assert sock.answer(None)["errors"] == ["invalid json input"]
    assert sock.call("process_health") == {"status": "OK"}


def test_bad_websocket_frames_get_errors_and_the_connection_stays(bitdust: BitDust) -> None:
    sock: Socket = bitdust.socket()
    for frame in [
        "null",
        "5",
        '""',
        "[]",
        "",
        "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    ]:
        sock.send(frame)
        assert sock.answer(None)["errors"][0] in ("invalid json input", "unknown command")
    for method in [["file_info"], 5, {"a": 1}, "", "__init__", "api", "_unsupported"]:
        sock.send({"command": "api_call", "method": method, "call_id": "m"})
        error = sock.answer("m")["errors"][0]
        assert error in ("invalid api method name", "api method name was not provided"), method
    for kwargs in [5, "text", ["a"]]:
        sock.send({"command": "api_call", "method": "file_info", "kwargs": kwargs, "call_id": "k"})
        assert sock.answer("k")["errors"] == ["kwargs must be a JSON object"]
    odd_values = [
        ("key_create", {"key_alias": "x" * 100}),
        ("key_create", {"key_alias": "ok-alias", "key_size": "huge"}),
        ("key_create", {"key_alias": "ok-alias", "key_size": 10**30}),
        ("file_info", {"remote_path": None}),
        ("message_send", {"recipient_id": {"a": 1}, "data": "{}"}),
        ("chunk_read", {"path": ["x"]}),
        ("chunk_read", {"path": "x", "offset": -5}),
        ("config_get", {"key": "../../etc"}),
        ("message_receive", {"consumer_callback_id": "c", "polling_timeout": "forever"}),
    ]
    for method, kwargs in odd_values:
        refused(sock.call(method, **kwargs))
    assert sock.call("process_health") == {"status": "OK"}
