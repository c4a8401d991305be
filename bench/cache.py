"""Evict a folder's files from the page cache, so the next read of them comes from the disk.

For reads "from disk" that are alike for every system: a server that wrote a file through
the page cache would otherwise serve it from memory, and one that wrote it with O_DIRECT
(podstore's chunks) from the disk. Needs no root (unlike `/proc/sys/vm/drop_caches`): each
file is fsynced (dirty pages stay cached) and then dropped with POSIX_FADV_DONTNEED. Pages a
process has mapped (SQLite's shared memory) stay; they are not file content.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def evict(root: Path) -> int:
    """Drop every regular file under `root` from the page cache; how many were dropped
    (0 where the platform has no posix_fadvise)."""
    if not hasattr(os, "posix_fadvise"):
        return 0
    dropped = 0
    for folder, _, names in os.walk(root):
        for name in names:
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK  # a FIFO must not wait for a writer
            try:
                fd = os.open(os.path.join(folder, name), flags)
            except OSError:  # gone meanwhile, a socket, a symlink
                continue
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    continue
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                dropped += 1
            except OSError:
                pass
            finally:
                os.close(fd)
    return dropped
