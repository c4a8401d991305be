"""Test files, made once per size and cached in the work dir: random, text, and one-byte-changed."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

BLOCK = 4 * 1024 * 1024


def _complete(path: Path, size: int) -> bool:
    return path.exists() and path.stat().st_size == size


def random_file(data_dir: Path, size: int, variant: int = 0) -> Path:
    """`size` bytes of os.urandom (incompressible). Each `variant` is a different file, so a
    run never finds its chunks already stored by an earlier run (dedup would flatter it)."""
    path = data_dir / f"random-{size}-v{variant}.bin"
    if not _complete(path, size):
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            left = size
            while left > 0:
                n = min(BLOCK, left)
                f.write(os.urandom(n))
                left -= n
        tmp.replace(path)
    return path


def _stdlib_sources(limit: int) -> bytes:
    """Up to `limit` bytes of Python stdlib sources (compressible ~4x with zstd)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    parts: list[bytes] = []
    total = 0
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        try:
            chunk = path.read_bytes()
        except OSError:
            continue
        parts.append(chunk)
        total += len(chunk)
        if total >= limit:
            break
    return b"".join(parts)


def _rotation(rep: int) -> bytes:
    """A byte table rotating a-z by rep % 26 and A-Z by rep // 26: each repeat differs."""
    table = bytearray(range(256))
    lo, up = rep % 26, (rep // 26) % 26
    for i in range(26):
        table[ord("a") + i] = ord("a") + (i + lo) % 26
        table[ord("A") + i] = ord("A") + (i + up) % 26
    return bytes(table)


def text_file(data_dir: Path, size: int, variant: int = 0) -> Path:
    """`size` bytes of stdlib sources, repeated as needed. Each repeat has its letters rotated
    differently, so a content-defined chunker cannot dedup the repeats away, while it stays
    as compressible as source code."""
    path = data_dir / f"text-{size}-v{variant}.txt"
    if not _complete(path, size):
        data_dir.mkdir(parents=True, exist_ok=True)
        corpus = _stdlib_sources(min(size, 64 * 1024 * 1024))
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as f:
            left, rep = size, 0
            while left > 0:
                piece = corpus.translate(_rotation(rep + 52 * variant))[:left]
                f.write(piece)
                left -= len(piece)
                rep += 1
        tmp.replace(path)
    return path


def one_byte_changed(data_dir: Path, source: Path) -> Path:
    """A copy of `source` with the byte in the middle flipped."""
    path = data_dir / f"{source.stem}-1b{source.suffix}"
    size = source.stat().st_size
    if not _complete(path, size) or path.stat().st_mtime < source.stat().st_mtime:
        tmp = path.with_suffix(".tmp")
        with source.open("rb") as src, tmp.open("wb") as dst:
            while block := src.read(BLOCK):
                dst.write(block)
        with tmp.open("r+b") as f:
            f.seek(size // 2)
            b = f.read(1)
            f.seek(size // 2)
            f.write(bytes([b[0] ^ 0xFF]))
        tmp.replace(path)
    return path
