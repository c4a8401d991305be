"""Per-thread, page-aligned buffers that the chunk pipeline reuses.

A chunk is sealed into its thread's `FRAME` buffer, and the local blob store writes it with
O_DIRECT from there (`padded_in_place`: padded to the page size with the room the buffer
keeps past it) instead of copying it into an aligned buffer first. Reused memory also
spares the page faults of fresh allocations, which in VMs cost more than the encryption.
"""

from __future__ import annotations

import ctypes
import mmap
import threading

ALIGN = 4096
FRAME = "frame"
JOINED = "joined"  # parts of a chunk, joined for zstd
PLAIN = FRAME  # a chunk read back, decrypted: no task both seals and reads a chunk
SEALED = FRAME  # a chunk's frame read back from the local store, then decrypted in place
STAGING = "staging"  # other data the local store writes with O_DIRECT
_MIN = 1 << 20
MAX_READ_INTO = 16 << 20  # larger blobs are read into fresh memory, not kept by a thread

_local = threading.local()


def round_up(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


def thread_buffer(role: str, size: int) -> memoryview:
    """This thread's `role` buffer, page-aligned, with `round_up(size)` bytes or more.

    Valid until the thread asks for the same role again.
    """
    buffers: dict[str, mmap.mmap] = _local.__dict__
    buf = buffers.get(role)
    if buf is None or len(buf) < round_up(size):
        buf = buffers[role] = mmap.mmap(-1, max(round_up(size), _MIN))
    return memoryview(buf)


def _address(buf: memoryview | mmap.mmap) -> int | None:
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(buf))
    except (TypeError, ValueError):  # read-only or empty
        return None


def padded_in_place(view: memoryview) -> memoryview | None:
    """`view` zero-padded to a multiple of ALIGN where it lies, if it starts one of this
    thread's buffers (which always have the room); None otherwise."""
    start = _address(view)
    if start is None or start % ALIGN:
        return None
    padded = round_up(len(view))
    for buf in _local.__dict__.values():
        if len(buf) >= padded and _address(buf) == start:
            whole = memoryview(buf)[:padded]
            whole[len(view) :] = bytes(padded - len(view))
            return whole
    return None
