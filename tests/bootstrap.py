"""Run by `make test` before pytest: install PostgreSQL with apt when it is missing.

As root this installs Debian's postgresql package; otherwise it says clearly that the
PostgreSQL half of the suite will be skipped. SeaweedFS comes from the lock file (pip).
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


def main() -> int:
    if initdb_path():
        return 0
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(
            "bootstrap: PostgreSQL is not installed and this is not root with apt; "
            "the PostgreSQL half of the suite will be SKIPPED",
            file=sys.stderr,
        )
        return 0
    print("bootstrap: installing PostgreSQL with apt-get", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        check=False,
        env=env,
    )
    if result.returncode != 0 or not initdb_path():
        print(
            "bootstrap: apt-get could not install PostgreSQL; its tests will be SKIPPED",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
