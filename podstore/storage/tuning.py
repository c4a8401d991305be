"""Process-wide memory allocator settings for the chunk pipeline (glibc only).

Worker threads allocate and free multi-MiB buffers; glibc gives each thread its own arena
and keeps freed memory in it, so RSS grows with the number of threads. One arena keeps the
peak RSS of 1 GiB and 8 GiB transfers under 200 MB with the trim threshold below. Two
arenas, in three alternated pairs of `bench small`, served 4 KiB GETs no faster (medians
1,894/3,126/2,253 against 2,517/2,393/2,667 req/s: the spread of this VM) and held ~2 MB more
at the 8 GiB peak.

glibc also raises its mmap threshold to the size of any mmapped block freed (up to 32 MiB):
after one password hash (argon2, 19 MiB) every later block up to 19 MiB came from an arena
that kept it, ~20 MB held for good. A fixed threshold above the largest chunk block keeps
chunk-sized blocks in the arenas, where they are reused (fresh pages cost page faults, which
in VMs cost more than the encryption), and hands anything larger back to the system at once.

Fixing that threshold also stops glibc moving its trim threshold, which stays at 128 KiB:
every chunk buffer freed at the top of the heap went back to the system, and the next one
was faulted in again, page by page. Downloads paid most: each chunk's frame, read from its
file, and its plaintext landed in fresh pages (`perf`: 298k minor faults in one cached 1 GiB
download, in the chunk threads' `read` and decryption). A trim threshold of 4 MiB took the
bench's 1 GiB download (read from disk just after the upload) from ~0.7 to ~0.8 GB/s, and a
cached one from ~0.85 to ~1.05, with the same peak RSS; 8 MiB was no faster once chunks were
decrypted into reused buffers (`frame.open_chunk_pieces`) and kept 2-4 MB more at the peak,
16 MiB took the peak over 200 MB.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 16 * 1024 * 1024  # above the largest chunk ever stored (8 MiB), below argon2
TRIM_THRESHOLD = 4 * 1024 * 1024  # free memory the heap's top keeps: one chunk's worth
_ENVIRONMENT = ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
_done = False
_lock = threading.Lock()


def tune_malloc(arenas: int = 1) -> bool:
    """Cap glibc malloc arenas and fix the mmap and trim thresholds, once per process; False
    where that is not possible.

    Respects MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ set in the
    environment: with any of them set, nothing is changed.
    """
    global _done
    with _lock:
        if _done or any(name in os.environ for name in _ENVIRONMENT):
            return _done
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
            mallopt = libc.mallopt if libc is not None else None
        except (OSError, AttributeError):
            mallopt = None
        _done = bool(
            mallopt is not None
            and mallopt(_M_ARENA_MAX, arenas) == 1
            and mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
            and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
        )
        return _done
