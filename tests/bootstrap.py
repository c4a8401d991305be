"""Run by `make test` before pytest: install PostgreSQL and haproxy with apt when missing.

As root this installs Debian's postgresql and haproxy packages; otherwise it says clearly
that the PostgreSQL half of the suite and the cluster tests will be skipped. SeaweedFS comes
from the lock file (pip).
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


def _apt_install(package: str) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
        check=False,
        env=env,
    )
    return result.returncode == 0


def main() -> int:
    found = {"postgresql": initdb_path(), "haproxy": shutil.which("haproxy")}
    missing = [package for package, path in found.items() if not path]
    if not missing:
        return 0
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(
            f"bootstrap: {' and '.join(missing)} not installed and this is not root with apt; "
            "the PostgreSQL half of the suite and the cluster tests will be SKIPPED",
            file=sys.stderr,
        )
        return 0
    for package in missing:
        print(f"bootstrap: installing {package} with apt-get", file=sys.stderr)
        if not _apt_install(package):
            print(f"bootstrap: apt-get could not install {package}", file=sys.stderr)
    if not initdb_path():
        print("bootstrap: no PostgreSQL; its tests will be SKIPPED", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
