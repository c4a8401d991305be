"""The real BitDust CLI (PyPI `bitdust` 0.1.24.265, in a venv of its own: tests/bootstrap.py)
against podstore. The CLI only calls ws://localhost:8280/ and first looks for a process named
like the BitDust engine, so this module takes port 8280 (it fails at once, saying so, when
something else holds it) and starts a harmless sentinel named `BitDust-node`."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import bootstrap
from tests.frontends.dialects.bitdust.engine import BitDust, running_bitdust

PORT = 8280


class Cli:
    def __init__(self, program: str, home: Path, engine: BitDust) -> None:
        self.program, self.home, self.engine = program, home, engine

    def __call__(self, *args: str) -> str:
        env = {**os.environ, "HOME": str(self.home)}
        done = subprocess.run(
            [self.program, *args],
            env=env,
            cwd=self.engine.local,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        output = done.stdout + done.stderr
        assert "Handshake status" not in output, output
        return output


def _port_taken() -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(("127.0.0.1", PORT))
        except OSError:
            return True
    return False


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    program = bootstrap.bitdust_cli()
    if program is None:
        pytest.skip("the BitDust CLI could not be installed here (see tests/bootstrap.py)")
    if _port_taken():
        pytest.fail(f"port {PORT} is taken: the BitDust CLI can only call ws://localhost:{PORT}/")
    root = tmp_path_factory.mktemp("bitdust-cli")
    home = root / "home"
    secret_file = str(home / ".bitdust" / "apisecret")
    sentinel = subprocess.Popen(
        ["bash", "-c", "exec -a BitDust-node sleep 3600"], start_new_session=True
    )
    try:
        engines = running_bitdust(
            root, ws_port=PORT, PODSTORE_FRONTENDS__BITDUST__APISECRET_FILE=secret_file
        )
        for engine in engines:
            yield Cli(program, home, engine)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(sentinel.pid, signal.SIGTERM)
        sentinel.wait()


def _json(output: str) -> dict[str, object]:
    start = output.index("{")
    found: dict[str, object] = json.loads(output[start : output.rindex("}") + 1])
    return found


def test_identity_keys_and_config(cli: Cli) -> None:
    me = f"{cli.engine.user}@localhost"
    identity = _json(cli("api", "identity_get"))
    assert identity["status"] == "OK" and me in json.dumps(identity)
    assert "OK" in cli("key", "create", "photos")
    assert f"photos${me}" in cli("key", "list")
    config = _json(cli("api", "config_get", "key=services/backups/max-copies"))
    assert config["result"] == {"key": "services/backups/max-copies", "type": "int", "value": 2}


def test_files_upload_list_info_download_and_a_second_version(cli: Cli) -> None:
    local = cli.engine.local
    (local / "report.bin").write_bytes(data := os.urandom(700_000))
    remote = cli.engine.remote("docs/report.bin")
    assert "'created': True" in cli("dir", "create", cli.engine.remote("docs"))
    assert "'created': True" in cli("file", "create", remote)
    assert "uploading task" in cli("file", "upload", str(local / "report.bin"), remote)
    sock = cli.engine.socket()
    # the CLI starts uploads in the background: wait until none runs
    for _ in range(200):
        if not sock.call("files_uploads")["result"]["running"]:
            break
    assert "docs/report.bin" in cli("file", "list")
    (local / "report.bin").write_bytes(b"second version")
    out = cli(
        "api",
        "file_upload_start",
        f"local_path={local / 'report.bin'}",
        f"remote_path={remote}",
        "wait_result=1",
    )
    assert _json(out)["status"] == "OK", out
    info = _json(cli("api", "file_info", f"remote_path={remote}"))
    versions = info["result"]["versions"]  # type: ignore[index]
    assert [v["size"] for v in versions] == [14, 700_000]
    (local / "back").mkdir()
    cli(
        "api",
        "file_download_start",
        f"remote_path={remote}",
        f"destination_path={local / 'back'}",
        "wait_result=1",
    )
    assert (local / "back" / "report.bin").read_bytes() == b"second version"
    del data


def test_shares_friends_groups_and_messages(cli: Cli) -> None:
    bob = cli.engine.server.new_user("bob")
    share = _json(cli("api", "share_create", "label=team"))
    key_id = share["result"]["key_id"]  # type: ignore[index]
    assert (
        _json(
            cli("api", "share_grant", f"key_id={key_id}", f"trusted_user_id={bob.name}@localhost")
        )["status"]
        == "OK"
    )
    as_bob = cli.engine.socket(bob.token)
    assert key_id in [s["key_id"] for s in as_bob.call("shares_list")["result"]]
    # `bitdust friend add` itself is broken in 0.1.24.265 (NameError: reactor): call the method
    added = cli("api", "friend_add", f"trusted_user_id={bob.name}@localhost")
    assert "new friend has been added" in added
    assert f"{bob.name}@localhost" in cli("api", "friends_list")
    as_bob.call("message_receive", consumer_callback_id="cli", polling_timeout=0)
    assert "message sent" in cli("msg", "send", f"{bob.name}@localhost", "hello-bob")
    got = as_bob.call("message_receive", consumer_callback_id="cli", polling_timeout=5)["result"]
    assert [m["data"] for m in got] == [{"message": "hello-bob"}]
    group = _json(cli("api", "group_create", "label=team"))["result"]["group_key_id"]  # type: ignore[index]
    assert (
        _json(cli("api", "group_share", f"group_key_id={group}", f"trusted_user_id={bob.name}"))[
            "status"
        ]
        == "OK"
    )
    sent = _json(cli("api", "message_send_group", f"group_key_id={group}", 'data={"text":"all"}'))
    assert sent["message"] == "group message sent"
    got = as_bob.call("message_receive", consumer_callback_id="cli", polling_timeout=5)["result"]
    assert [(m["type"], m["data"]) for m in got] == [("group_message", {"text": "all"})]


def test_a_folder_share_opens_that_folder_for_the_grantee_only(cli: Cli) -> None:
    bob = cli.engine.server.new_user("bob")
    folder, other = cli.engine.remote("team"), cli.engine.remote("own")
    for path in (folder, other):
        assert "'created': True" in cli("dir", "create", path)
    sock = cli.engine.socket()
    local = sock.call("chunk_write", data="the plan")["result"]["path"]
    for path in (f"{folder}/plan.txt", f"{other}/diary.txt"):
        sock.call("file_create", remote_path=path)
        sock.call("file_upload_start", local_path=local, remote_path=path, wait_result=1)
    share = _json(cli("api", "share_create", f"remote_path={folder}"))
    key_id = share["result"]["key_id"]  # type: ignore[index]
    granted = cli("api", "share_grant", f"key_id={key_id}", f"trusted_user_id={bob.name}")
    assert _json(granted)["status"] == "OK", granted
    as_bob = cli.engine.socket(bob.token)
    listed = as_bob.call("files_list", key_id=key_id)["result"]
    assert [entry["remote_path"] for entry in listed] == [f"{key_id}:plan.txt"]
    assert as_bob.call("files_list", remote_path=other)["status"] == "ERROR"
    assert as_bob.call("file_info", remote_path=f"{key_id}:../own/diary.txt")["status"] == "ERROR"
