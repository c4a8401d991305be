"""`podstore serve`: check the settings, migrate once, then serve from one or more processes.

Each worker process is a whole node (its own Core serving every listener; the kernel spreads
connections over the processes bound to one address, SO_REUSEPORT). On SQLite the workers
take turns at the database's write lock (each has its own group writer) and tell each other
of commits through `meta/notify.py`; that needs Linux (abstract Unix sockets).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import subprocess
import sys
from multiprocessing.connection import wait
from types import FrameType

from pydantic import ValidationError

from podstore.frontends.http.observe import configure_logging
from podstore.meta.migrate import is_current
from podstore.server.claim import AddressUnavailable, claim
from podstore.server.serve import enabled_listeners, serve
from podstore.settings import Settings
from podstore.storage.tuning import tune_malloc


def check(settings: Settings) -> None:
    """Refuse settings the server cannot run, with a message that says what to change."""
    if settings.workers < 1:
        raise SystemExit("podstore: PODSTORE_WORKERS must be at least 1")
    sqlite = settings.effective_database_url.startswith("sqlite")
    if settings.workers > 1 and sqlite and not sys.platform.startswith("linux"):
        raise SystemExit(
            "podstore: PODSTORE_WORKERS > 1 on SQLite needs Linux (its workers tell each other "
            "of commits over abstract Unix sockets); use PostgreSQL or one worker."
        )
    try:
        enabled_listeners(settings)
    except ValueError as exc:
        raise SystemExit(f"podstore: {exc}") from None


def worker(settings: Settings, first: bool = True) -> None:
    tune_malloc()  # before any thread of the node starts: they all share one arena
    configure_logging(settings.log_level)
    try:
        import uvloop
    except ImportError:  # not on Windows
        asyncio.run(serve(settings, first))
    else:
        uvloop.run(serve(settings, first))


def run() -> None:
    try:
        settings = Settings()
    except ValidationError as exc:
        raise SystemExit(f"podstore: {exc}") from None
    check(settings)
    try:
        held = claim(enabled_listeners(settings).values())
    except AddressUnavailable as exc:
        raise SystemExit(f"podstore: {exc}") from None
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # once, before the workers start: each worker's own check then finds nothing to do
        migrate_apart(settings.effective_database_url)
        print(f"podstore serving {settings.base_url}  (data in {settings.data_dir})", flush=True)
        if settings.workers == 1:
            worker(settings)
        else:
            sys.exit(_run_workers(settings))
    finally:
        for sock in held:
            sock.close()


def migrate_apart(url: str) -> None:
    """Migrate the database, if it needs it, in a process of its own: Alembic's modules then
    never load into the server's (they stay ~10 MB for good once imported). A plain
    subprocess: multiprocessing would leave its resource tracker running (~13 MB)."""
    if is_current(url):
        return
    code = "import sys; from podstore.meta.db import migrate_database; "
    code += "migrate_database(sys.stdin.read())"  # the URL on stdin: it may hold a password
    argv = [sys.executable, "-P", "-c", code]  # fixed: this interpreter and our code
    done = subprocess.run(argv, input=url, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit("podstore: the database could not be migrated (the error is above)")


def _run_workers(settings: Settings) -> int:
    """Run `workers` processes until a signal stops them or one of them exits."""
    context = multiprocessing.get_context("spawn")
    procs = [
        context.Process(target=worker, args=(settings, index == 0))
        for index in range(settings.workers)
    ]
    for proc in procs:
        proc.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    wait([proc.sentinel for proc in procs])
    stop(signal.SIGTERM, None)
    for proc in procs:
        proc.join()
    return 1 if any(proc.exitcode not in (0, -signal.SIGTERM) for proc in procs) else 0
