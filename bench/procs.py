"""Processes the harness starts: spawn in their own group, stop by PID, sample memory.

Every child is started in a new session (its own process group) and remembered here;
`stop_all` runs from `finally` blocks, from `atexit` and on SIGTERM/SIGHUP, so a crash or
Ctrl-C never leaves a server behind.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

_live: dict[int, subprocess.Popen[bytes]] = {}
_lock = threading.Lock()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(
    argv: Sequence[str | os.PathLike[str]],
    *,
    log: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a long-running process in its own process group, output to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out: IO[bytes] = log.open("ab")
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        proc = subprocess.Popen(
            [os.fspath(a) for a in argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=full_env,
            start_new_session=True,
        )
    finally:
        out.close()
    with _lock:
        _live[proc.pid] = proc
    return proc


def stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM the process group of `proc`, then SIGKILL it if it lingers."""
    with _lock:
        _live.pop(proc.pid, None)
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
    # The leader may be gone while workers of its group live on (nginx, tahoe): kill the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)


def stop_all() -> None:
    """Stop every process this module started and has not stopped yet."""
    with _lock:
        procs = list(_live.values())
    for proc in procs:
        stop(proc)


def live_pids() -> list[int]:
    with _lock:
        return [p.pid for p in _live.values() if p.poll() is None]


def _on_signal(signum: int, _frame: object) -> None:
    stop_all()
    raise SystemExit(128 + signum)


_handlers = {"atexit": False, "signals": False}


def install_handlers(*, signals: bool = True) -> None:
    """Stop children at interpreter exit and, with `signals`, on SIGTERM/SIGHUP (Ctrl-C raises
    KeyboardInterrupt, which the callers' `finally` blocks handle). Idempotent."""
    if not _handlers["atexit"]:
        atexit.register(stop_all)
        _handlers["atexit"] = True
    if (
        signals
        and not _handlers["signals"]
        and threading.current_thread() is threading.main_thread()
    ):
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _on_signal)
        _handlers["signals"] = True


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a short command to completion (bounded by `timeout`) and capture its output."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [os.fspath(a) for a in argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        check=check,
        stdin=subprocess.DEVNULL,
    )


def wait_until(
    probe: Callable[[], bool], *, timeout: float, what: str, step: float = 0.05
) -> float:
    """Poll `probe` until it returns True; return the seconds it took."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if probe():
                return time.monotonic() - t0
        except Exception as exc:  # any failure means "not ready yet"
            last = exc
        time.sleep(step)
    raise TimeoutError(f"{what} not ready after {timeout:.0f} s (last error: {last!r})")


# -- memory -------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants (bounded walk)."""
    out: list[int] = []
    todo = [pid]
    while todo and len(out) < 10_000:
        p = todo.pop()
        out.append(p)
        todo.extend(_children(p))
    return out


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_bytes(pid: int) -> int:
    """Current resident set of `pid` plus all its descendants."""
    return sum(_status_kib(p, "VmRSS") for p in tree(pid)) * 1024


def hwm_bytes(pid: int) -> int:
    """Peak resident set (VmHWM) of `pid` plus its descendants still alive."""
    return sum(_status_kib(p, "VmHWM") for p in tree(pid)) * 1024


class RssSampler:
    """Samples the RSS of a process tree every `interval` seconds in a thread; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"rss-{pid}", daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self.peak = rss_bytes(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.peak = max(self.peak, rss_bytes(self.pid))


def disk_usage(path: Path) -> int:
    """Bytes allocated on disk under `path` (like `du -s -B1`), hard links counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, dirs, files in os.walk(path):
        for name in files + dirs:
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            total += st.st_blocks * 512
    return total
