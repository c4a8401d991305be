"""glibc malloc settings: a password hash no longer leaves its memory held for good."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import threading
from argon2 import PasswordHasher
from podstore.storage.tuning import tune_malloc

def anon_kib() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise SystemExit("no RssAnon")

if TUNED:
    assert tune_malloc()
hasher = PasswordHasher(memory_cost=19 * 1024, time_cost=1)
hasher.hash("warm up the main thread")
before = anon_kib()
for _ in range(3):  # as the server's threads do, one login after another
    thread = threading.Thread(target=hasher.hash, args=("correct horse battery",))
    thread.start()
    thread.join()
print(anon_kib() - before)
"""


def held_kib(tuned: bool) -> int:
    env = {"PATH": "/usr/bin:/bin"}  # no MALLOC_* from the caller's environment
    code = f"TUNED = {tuned}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_password_hash_memory_goes_back_to_the_system() -> None:
    untuned = held_kib(False)
    if untuned < 8 * 1024:
        pytest.skip(f"this libc keeps no hash memory here anyway ({untuned} KiB)")
    assert held_kib(True) < 4 * 1024


CHURN = """
import resource
import threading
from podstore.storage.tuning import tune_malloc

if TUNED:
    assert tune_malloc()

def churn() -> None:  # as a download's threads do: MiB-sized buffers, made and dropped
    for n in range(64):
        buffer = bytes([n]) * (2 << 20)
        del buffer

thread = threading.Thread(target=churn)  # warm up: the arena grows once
thread.start()
thread.join()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(2):
    thread = threading.Thread(target=churn)
    thread.start()
    thread.join()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(env: dict[str, str], tuned: bool) -> int:
    done = subprocess.run(
        [sys.executable, "-c", f"TUNED = {tuned}\n{CHURN}"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_freed_chunk_buffer_is_reused_without_faulting_its_pages_in_again() -> None:
    pages = 128 * (2 << 20) // 4096  # what faulting in every buffer anew would cost
    # the mmap threshold fixed as before, the trim threshold left at its default
    trimming = page_faults({"MALLOC_MMAP_THRESHOLD_": str(16 << 20)}, tuned=False)
    if trimming < pages // 2:
        pytest.skip(f"this libc keeps freed buffers anyway ({trimming} faults)")
    assert page_faults({}, tuned=True) < pages // 20
