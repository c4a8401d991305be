"""Optional py-spy profiling of podstore during a scenario (`--profile`), to say where time goes.

py-spy samples the server's process tree (non-blocking, 100 Hz) into a collapsed-stack file;
the report notes the functions with the most own time, and the file stays in the work dir
(open it with speedscope or flamegraph.pl for the full picture).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bench import procs


@contextlib.contextmanager
def record(pyspy: Path, pid: int, out: Path) -> Iterator[None]:
    """Sample `pid` (and its subprocesses) with py-spy while the block runs."""
    argv = [
        str(pyspy), "record",
        "--pid", str(pid),
        "--subprocesses",
        "--nonblocking",
        "--rate", "100",
        "--format", "raw",
        "--output", str(out),
    ]  # fmt: skip
    proc = procs.spawn(argv, log=out.with_suffix(".log"))
    try:
        yield
    finally:
        # py-spy writes its output when interrupted
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=60)
        procs.stop(proc)


def top_functions(raw: Path, n: int = 6) -> list[tuple[str, float]]:
    """The `n` frames with the most own (leaf) samples, with their share of all samples."""
    leaves: Counter[str] = Counter()
    total = 0
    try:
        lines = raw.read_text(errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        leaf = stack.rsplit(";", 1)[-1]
        if leaf.startswith("process "):  # a process root with no Python frame sampled
            continue
        leaves[leaf] += int(count)
        total += int(count)
    return [(frame, k / total) for frame, k in leaves.most_common(n)] if total else []


def summary(raw: Path, n: int = 6) -> str:
    top = top_functions(raw, n)
    if not top:
        return f"no samples in {raw}"
    return "; ".join(f"{frame} {share:.0%}" for frame, share in top) + f" (stacks: {raw})"
