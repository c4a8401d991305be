"""BitDust's WebSocket API (8280): the `api_call` protocol, bad frames, the secret, pushed
`event` and `stream_message` frames, and the desktop app's `chunk_write`/`chunk_read` file
transfer confined to the engine's temp folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import websocket

from tests.frontends.dialects.bitdust.engine import BitDust, Socket


def test_api_call_answers_carry_the_call_id_and_the_envelope(bitdust: BitDust) -> None:
    sock = bitdust.socket()
    sock.send({"command": "api_call", "method": "process_health", "kwargs": {}, "call_id": 7})
    assert sock.answer(7) == {"call_id": 7, "response": {"status": "OK"}}
    identity = sock.call("identity_get")
    assert identity["result"]["global_id"] == f"{bitdust.user}@localhost"
    assert sock.call("file_info", remote_path="nokey$x@localhost:a")["status"] == "ERROR"


def test_bad_frames_get_errors_and_the_connection_stays(bitdust: BitDust) -> None:
    sock = bitdust.socket()
    sock.send({"command": "api_call", "method": "no_such_method", "call_id": "a"})
    assert sock.answer("a") == {"call_id": "a", "errors": ["invalid api method name"]}
    sock.send({"command": "api_call", "call_id": "b"})
    assert sock.answer("b")["errors"] == ["api method name was not provided"]
    sock.send({"command": "api_call", "method": "process_health", "kwargs": [1], "call_id": "c"})
    assert sock.answer("c")["errors"] == ["kwargs must be a JSON object"]
    sock.send("{this is not json")
    assert sock.answer(None)["errors"] == ["invalid json input"]
    sock.send({"command": "subscribe"})
    assert sock.answer(None)["errors"] == ["unknown command"]
    sock.ws.send_binary(b"\x00\x01")
    assert sock.answer(None)["errors"] == ["binary frames are not part of this API"]
    sock.send("[" * 2_000_000)
    assert "at most" in sock.answer(None)["errors"][0]
    assert sock.call("process_health") == {"status": "OK"}


def test_a_wrong_secret_is_refused_at_the_handshake(bitdust: BitDust) -> None:
    for secret in ["", "nope", bitdust.secret[:-1]]:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            bitdust.socket(secret)
        assert refused.value.status_code == 403


def test_chunk_write_upload_download_chunk_read_round_trip(bitdust: BitDust) -> None:
    sock = bitdust.socket()
    data = bytes(range(256)) * 1000 + b"tail"
    text = data.decode("latin-1")
    first = sock.call("chunk_write", data=text[:100_000])["result"]
    path = first["path"]
    sock.call("chunk_write", data=text[100_000:], path=path)
    remote = bitdust.remote("desktop.bin")
    assert sock.call("file_create", remote_path=remote)["status"] == "OK"
    up = sock.call("file_upload_start", local_path=path, remote_path=remote, wait_result="true")
    assert up["status"] == "OK", up
    down = sock.call("file_download_start", remote_path=remote, wait_result="1")["result"]
    got, offset = b"", 0
    while True:
        piece = sock.call("chunk_read", path=down["local_path"], offset=offset, max_size=65536)
        if piece["result"].get("completed"):
            break
        got += piece["result"]["chunk"].encode("latin-1")
        offset = len(got)
    assert got == data
    for outside in ["/etc/passwd", down["local_path"] + "/../../../apisecret"]:
        read = sock.call("chunk_read", path=outside, offset=0)
        assert read["errors"] == ["wrong path location provided"]
        assert sock.call("chunk_write", data="x", path=outside)["errors"] == [
            "wrong path location provided"
        ]
    assert sock.call("chunk_write", data="\u20ac")["status"] == "ERROR"


def test_events_and_messages_are_pushed(bitdust: BitDust) -> None:
    bob = bitdust.server.new_user("bob")
    sock = bitdust.socket()
    assert sock.call("process_health")["status"] == "OK"  # the engine's events are followed now
    as_bob = bitdust.socket(bob.token)
    sent = as_bob.call("message_send", recipient_id=f"{bitdust.user}@localhost", data='{"m": 1}')
    assert sent["status"] == "OK", sent
    event = sock.wait_pushed("event")["payload"]
    assert event["event_id"] == "message.received"
    stream = sock.wait_pushed("stream_message")["payload"]
    assert stream["data"] == {"m": 1} and stream["sender"]["global_id"] == f"{bob.name}@localhost"


def test_dht_values_are_kept_in_the_callers_table(bitdust: BitDust) -> None:
    sock = bitdust.socket()
    value = {"suppliers": ["a", "b"], "n": 2}
    assert sock.call("dht_value_set", key="my-record", value=value)["status"] == "OK"
    assert sock.call("dht_value_get", key="my-record")["result"] == {
        "key": "my-record",
        "value": value,
    }
    dump = sock.call("dht_local_db_dump")["result"]
    assert {"key": "my-record", "value": value} in dump
    missing = sock.call("dht_value_get", key="nothing-here")
    assert missing["errors"] == ["value for key nothing-here not found"]
    bob = bitdust.server.new_user("bob")
    assert bitdust.socket(bob.token).call("dht_value_get", key="my-record")["status"] == "ERROR"


def pushed_until(sock: Socket, last: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """Every frame pushed up to and including the first that `last` accepts."""
    frames = []
    while True:
        frame = sock.pushed.pop(0) if sock.pushed else json.loads(sock.ws.recv())
        frames.append(frame)
        if last(frame):
            return frames


def model(frame: dict[str, Any], name: str) -> bool:
    return frame["type"] == "model" and frame["payload"]["name"] == name


def test_model_listeners_populate_and_follow_keys_files_and_friends(bitdust: BitDust) -> None:
    sock = bitdust.socket()
    assert sock.call("enable_model_listener", model_name="no_such_model")["status"] == "ERROR"
    assert sock.call("enable_model_listener", model_name="key", request_all=1) == {"status": "OK"}
    master = sock.wait_pushed("model")["payload"]
    assert (master["name"], master["id"]) == ("key", f"master${bitdust.user}@localhost")
    assert master["data"]["alias"] == "master" and master["data"]["private"] is None
    for name in ("private_file", "remote_version", "correspondent", "online_status"):
        assert sock.call("enable_model_listener", model_name=name)["status"] == "OK"
    assert sock.call("key_create", key_alias="modelled", key_size=1024)["status"] == "OK"
    friend = bitdust.server.new_user("friend")
    sock.call("friend_add", trusted_user_id=f"{friend.name}@localhost")
    frames = pushed_until(sock, lambda f: model(f, "online_status"))
    keys = {f["payload"]["id"] for f in frames if model(f, "key")}
    assert f"modelled${bitdust.user}@localhost" in keys
    [status] = [f["payload"] for f in frames if f["type"] == "online_status"]
    assert (status["username"], status["state"]) == (friend.name, "CONNECTED")
    [correspondent] = [f["payload"] for f in frames if model(f, "correspondent")]
    assert correspondent["data"]["idurl"] == f"http://localhost/{friend.name}.xml"

    remote = bitdust.remote("modelled.txt")
    local = sock.call("chunk_write", data="model me")["result"]["path"]
    sock.call("file_create", remote_path=remote)
    sock.call("file_upload_start", local_path=local, remote_path=remote, wait_result=1)
    frames = pushed_until(sock, lambda f: model(f, "remote_version"))
    [file_frame] = [f["payload"] for f in frames if model(f, "private_file")]
    assert file_frame["id"] == remote and file_frame["data"]["size"] == len("model me")
    assert frames[-1]["payload"]["data"]["remote_path"] == remote

    assert sock.call("disable_model_listener", model_name="key")["status"] == "OK"
    sock.call("key_create", key_alias="unheard", key_size=1024)
    sock.call("file_delete", remote_path=remote)
    frames = pushed_until(sock, lambda f: model(f, "private_file"))
    assert frames[-1]["payload"]["id"] == remote and "deleted" in frames[-1]["payload"]
    assert not [f for f in frames if model(f, "key")]  # the key listener is off
