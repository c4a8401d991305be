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
