"""Process-wide memory allocator settings for the chunk pipeline (glibc only).

Worker threads allocate and free multi-MiB buffers; glibc gives each thread its own arena
and keeps freed memory in it, so RSS grows with the number of threads. Capping the arenas
keeps peak RSS of a 1 GiB write well under 200 MB at no measurable cost in throughput.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading

_M_ARENA_MAX = -8
_done = False
_lock = threading.Lock()


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc malloc arenas once per process; False where that is not possible.

    Respects an explicit MALLOC_ARENA_MAX in the environment.
    """
    global _done
    with _lock:
        if _done or "MALLOC_ARENA_MAX" in os.environ:
            return _done
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
            mallopt = libc.mallopt if libc is not None else None
        except (OSError, AttributeError):
            mallopt = None
        _done = bool(mallopt is not None and mallopt(_M_ARENA_MAX, arenas) == 1)
        return _done
