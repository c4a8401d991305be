"""litmus (the WebDAV compliance suite): every group (basic, copymove, props, locks, http)
passes against a real server, on SQLite and PostgreSQL, with nothing skipped."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.server import Server, User

GROUPS = ("basic", "copymove", "props", "locks", "http")


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
    assert [group for group, *_ in ran] == list(GROUPS), out[-3000:]
    assert all(failed == "0" for *_, failed in ran), out[-3000:]
    assert "SKIPPED" not in out and "FAIL" not in out, out[-3000:]
    assert sum(int(total) for _, total, _, _ in ran) == 104, out[-3000:]
    assert run.returncode == 0, out[-3000:]
