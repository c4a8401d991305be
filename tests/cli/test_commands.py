"""The `podstore` command against a real server: account, pods, tree, transfer, sharing."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.fixtures.server import PASSWORD, Server


class Cli:
    def __init__(self, server: Server, home: Path) -> None:
        self.env = {
            **server.env,
            "PODSTORE_URL": server.url,
            "XDG_CONFIG_HOME": str(home),
            "COLUMNS": "200",
        }
        self.env.pop("PODSTORE_TOKEN", None)

    def __call__(
        self, *args: str, stdin: str = "", ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "podstore", *args],
            input=stdin,
            text=True,
            capture_output=True,
            env=self.env,
            timeout=120,
        )
        if ok:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done


@pytest.fixture
def cli(server: Server, tmp_path: Path) -> Cli:
    return Cli(server, tmp_path / "config")


def test_account_and_files_round_trip(cli: Cli, tmp_path: Path) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    signed = cli("signup", name, stdin=f"{PASSWORD}\n")
    assert "recovery phrase" in signed.stdout
    cli("login", name, stdin=f"{PASSWORD}\n")
    assert name in cli("whoami").stdout
    session = Path(cli.env["XDG_CONFIG_HOME"]) / "podstore" / "session.json"
    assert oct(session.stat().st_mode & 0o777) == "0o600"
    cli("pods", "create", "work")
    assert "work" in cli("pods").stdout

    source = tmp_path / "src"
    (source / "deep" / "er").mkdir(parents=True)
    files = {"a.txt": b"alpha", "deep/b.bin": os.urandom(2_000_000), "deep/er/c.txt": b""}
    for rel, data in files.items():
        (source / rel).write_bytes(data)
    cli("put", str(source), "work/project")
    listing = cli("ls", "work/project").stdout
    assert "a.txt" in listing and "deep/" in listing
    out = tmp_path / "out"
    cli("get", "work/project", str(out))
    for rel, data in files.items():
        assert (out / rel).read_bytes() == data

    cli("mv", "work/project/a.txt", "project/renamed.txt")
    cli("cp", "work/project/deep", "project/deep-copy")
    cli("get", "work/project/deep-copy/b.bin", str(tmp_path / "b.bin"))
    assert (tmp_path / "b.bin").read_bytes() == files["deep/b.bin"]
    cli("rm", "work/project/renamed.txt")
    trash = cli("trash", "work").stdout
    assert "/project/renamed.txt" in trash
    node_id = next(line.split("│")[1].strip() for line in trash.splitlines() if "renamed" in line)
    cli("restore", "work", node_id)
    assert "renamed.txt" in cli("ls", "work/project").stdout

    single = tmp_path / "v.txt"
    for text in ("one", "two"):
        single.write_text(text)
        cli("put", str(single), "work/v.txt")
    assert cli("versions", "work/v.txt").stdout.count("\n") >= 4
    cli("logout")
    failed = cli("ls", "work", ok=False)
    assert failed.returncode == 1 and "401" in failed.stderr


def test_errors_are_one_clear_line(cli: Cli) -> None:
    failed = cli("ls", "nopod", ok=False)
    assert failed.returncode == 1
    assert "error:" in failed.stderr and "Traceback" not in failed.stderr
    unreachable = Cli.__new__(Cli)
    unreachable.env = {**cli.env, "PODSTORE_URL": "http://127.0.0.1:9"}
    down = unreachable("ls", "x", ok=False)
    assert down.returncode == 1 and "cannot reach the server" in down.stderr


def test_share_list_and_revoke_grants_and_links(server: Server, cli: Cli) -> None:
    owner = server.new_user("cli-owner", pod="p")
    guest = server.new_user("cli-guest")
    owner.put("/pods/p/files/docs/a.txt", content=b"for the guest")
    cli.env["PODSTORE_TOKEN"] = owner.token
    made = cli("share", "p/docs", "--user", guest.name, "--level", "write").stdout
    grant_id = made.rsplit("id ", 1)[1].strip()
    assert guest.name in cli("shares", "outgoing").stdout
    scope = guest.get("/shares/incoming").json()["shares"][0]["pod"]
    assert guest.get(f"/pods/{scope}/files/a.txt").content == b"for the guest"
    cli("unshare", grant_id)
    assert guest.get(f"/pods/{scope}/files/a.txt").status_code == 404

    url = cli("link", "p/docs/a.txt", "--max-downloads", "5").stdout.strip()
    assert httpx.get(url).content == b"for the guest"
    link_id = url.rsplit("/", 1)[1].split(".")[0]
    assert link_id in cli("links").stdout
    cli("unlink", link_id)
    assert httpx.get(url).status_code == 404
