"""README's quick start runs as written: its shell blocks, read out of README.md, run line by
line against a live server from an empty folder with an empty HOME."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.server import Server, server_env

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long passphrase"  # the one the curl block uses too


def quick_start() -> list[list[str]]:
    """The commands of each ```sh block of the Quick start section, continuations joined."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return [[line for line in block.replace("\\\n", "").splitlines() if line] for block in blocks]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path / "data", server_env(tmp_path / "data", None))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def shell(tmp_path: Path, server: Server) -> dict[str, str]:
    """A user's environment: an empty HOME, `podstore` on the PATH, the server's URL."""
    bin_dir, home = tmp_path / "bin", tmp_path / "home"
    bin_dir.mkdir()
    home.mkdir()
    shim = bin_dir / "podstore"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m podstore "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PODSTORE_", "XDG_"))}
    env.update(
        HOME=str(home),
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        PODSTORE_URL=server.url,
        COLUMNS="200",
    )
    return env


def test_the_cli_lines_run_as_written(live: Server, tmp_path: Path) -> None:
    make, cli, _ = quick_start()
    assert make[0].startswith("make serve")  # the server this test started instead
    env, work = shell(tmp_path, live), tmp_path / "work"
    work.mkdir()
    outputs = []
    for line in cli:
        done = subprocess.run(
            ["bash", "-c", line],
            input=PASSWORD + "\n",  # for the commands that ask for the password
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        outputs.append(done.stdout)
    assert (work / "restore" / "beach.jpg").read_text() == "sand\n"
    assert "blurry.jpg" in outputs[cli.index(next(c for c in cli if " trash " in c))]
    assert outputs[-1].count("alice") == 2, outputs[-1]  # two versions of notes.txt


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_curl_lines_run_as_written(live: Server, tmp_path: Path) -> None:
    _, _, curl = quick_start()
    work = tmp_path / "work"
    work.mkdir()
    script = "set -e\n" + "\n".join(curl).replace("localhost:9090", f"127.0.0.1:{live.port}")
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=work,
        env=shell(tmp_path, live),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    part = (work / "first-100-bytes.pdf").read_bytes()
    assert part == (work / "report.pdf").read_bytes()[:100]
