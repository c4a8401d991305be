"""A throwaway PostgreSQL cluster in a folder, on 127.0.0.1, trusting local connections."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from podstore.cluster.procs import free_port

FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def initdb_path() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else shutil.which("initdb")


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class LocalPostgres:
    root: Path  # holds data/, the log and the socket
    port: int

    @property
    def socket_dir(self) -> str:
        return str(self.root)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _pg_ctl(self, *args: str) -> None:
        bindir = Path(initdb_path() or "initdb").parent
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(self.root / "data"), *args]),
            check=True,
            capture_output=True,
        )

    @classmethod
    def start(cls, root: Path, port: int | None = None, *, durable: bool = False) -> LocalPostgres:
        """Create the cluster in `root` unless it is there, and start it. Not `durable`
        (the default, for tests), it skips fsync: a crash of the machine can lose it."""
        initdb = initdb_path()
        if not initdb:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        os.chmod(root, 0o700)
        if not (root / "data").exists():
            init = [initdb, "-D", str(root / "data"), "-U", "postgres", "-A", "trust"]
            init += ["--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]
            subprocess.run(_as_postgres(init), check=True, capture_output=True)
        cluster = cls(root, port or free_port())
        options = f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {root}"
        options += " -c max_connections=300" + ("" if durable else " " + FAST)
        cluster._pg_ctl("-l", str(root / "log"), "-w", "-o", options, "start")
        return cluster

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` (a clean shutdown) or `immediate` (like a crash)."""
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self._pg_ctl("-m", mode, "-w", "stop")
