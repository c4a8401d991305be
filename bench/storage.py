"""Storage engine throughput: write and read MB/s and peak RSS, as a markdown table.

    python bench/storage.py [--size-mib 1024] [--stores local,erasure] [--data random,text]

Each case streams SIZE of unique data (random = AES-CTR keystream, text = Python stdlib
sources with a different letter permutation per 8 MiB so nothing dedups) in 1 MiB pieces
through `ChunkEngine.write` into a fresh store in a temp dir, then reads it all back with
`ChunkEngine.read`. Local stores fsync every blob. MB = 10^6 bytes. Peak RSS is the
process's VmHWM, reset before each case. CPU s/GiB (user + system, all threads) is less
sensitive than MB/s to other load on the machine; 2 cores bound MB/s by ~2147 / CPU s/GiB.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import random
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# bench/ holds a profile.py that would shadow the stdlib module cProfile imports
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402

from podstore.storage import chunker, frame  # noqa: E402
from podstore.storage.blobstore import BlobStore  # noqa: E402
from podstore.storage.engine import ChunkEngine, ChunkParams, PodKeys  # noqa: E402
from podstore.storage.erasure import ErasureBlobStore  # noqa: E402
from podstore.storage.local import LocalBlobStore  # noqa: E402

PIECE = 1 << 20
TEXT_SEGMENT = 8 << 20
GOALS = {"write random": 450.0, "write text": 250.0, "read": 1200.0, "rss": 200.0}


def random_pieces(total: int) -> Iterator[bytes]:
    encryptor = Cipher(algorithms.AES(os.urandom(32)), modes.CTR(os.urandom(16))).encryptor()
    zeros = bytes(PIECE)
    for offset in range(0, total, PIECE):
        yield encryptor.update(zeros[: min(PIECE, total - offset)])


@functools.cache
def _text_base() -> bytes:
    parts = []
    size = 0
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).rglob("*.py")):
        raw = path.read_bytes()
        parts.append(raw)
        size += len(raw)
        if size >= TEXT_SEGMENT:
            break
    return b"".join(parts)[:TEXT_SEGMENT]


def text_pieces(total: int) -> Iterator[bytes]:
    base = _text_base()
    letters = b"abcdefghijklmnopqrstuvwxyz"
    rng = random.Random(42)
    offset = 0
    while offset < total:
        perm = bytearray(letters)
        rng.shuffle(perm)
        segment = base.translate(bytes.maketrans(letters, bytes(perm)))
        for start in range(0, len(segment), PIECE):
            if offset >= total:
                return
            piece = segment[start : start + min(PIECE, total - offset)]
            offset += len(piece)
            yield piece


DATA: dict[str, Callable[[int], Iterator[bytes]]] = {"random": random_pieces, "text": text_pieces}


def make_store(kind: str, root: Path) -> BlobStore:
    if kind == "local":
        return LocalBlobStore(root / "blobs")
    if kind == "erasure":
        return ErasureBlobStore([LocalBlobStore(root / f"c{i}") for i in range(6)], 4, 2)
    raise SystemExit(f"unknown store {kind}")


def peak_rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def dir_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


@dataclass
class Result:
    store: str
    data: str
    write_mbs: float
    read_mbs: float
    stored_mib: float
    rss_mib: float
    write_cpu: float
    read_cpu: float


async def _source(pieces: Iterator[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


class StageTimer:
    """Wraps pipeline functions and sums their wall time over all threads."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._lock = threading.Lock()
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, attr: str, label: str) -> None:
        original = getattr(owner, attr)

        def timed(*a: object, **k: object) -> object:
            start = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                spent = time.perf_counter() - start
                with self._lock:
                    self.seconds[label] = self.seconds.get(label, 0.0) + spent
                    self.calls[label] = self.calls.get(label, 0) + 1

        self._undo.append((owner, attr, original))
        setattr(owner, attr, timed)

    def restore(self) -> None:
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)
        self._undo.clear()

    def report(self, user: float, system: float) -> None:
        print(f"|   | process CPU: user {user:.2f} s, system {system:.2f} s | | | | | | |")
        for label, seconds in self.seconds.items():
            print(f"|   | {label}: {seconds:.2f} s in {self.calls[label]} calls | | | | | | |")


async def run_case(
    store: str, data: str, size: int, args: argparse.Namespace, timer: StageTimer | None
) -> Result:
    params = ChunkParams(args.min_kib << 10, args.avg_kib << 10, args.max_kib << 10)
    keys = PodKeys(os.urandom(32), os.urandom(32), args.compression)
    with tempfile.TemporaryDirectory(prefix="podstore-bench-", dir=args.dir) as tmp:
        blobs = make_store(store, Path(tmp))
        engine = ChunkEngine(blobs, params, workers=args.workers)
        if timer is not None:
            timer.wrap(chunker.StreamChunker, "take", "write: cut + copy into block")
            timer.wrap(frame, "compress", "write: zstd")
            timer.wrap(frame, "seal_reusing", "write: compress + encrypt + checksum")
            timer.wrap(blobs, "put", "write: blob put")
            timer.wrap(blobs, "get", "read: blob get")
            timer.wrap(frame, "open_frame", "read: decrypt + decompress")
        reset_peak_rss()
        cpu0, start = cpu_seconds(), time.perf_counter()
        result = await engine.write(_source(DATA[data](size)), keys)
        write_s = time.perf_counter() - start
        cpu1 = cpu_seconds()
        assert result.manifest.size == size
        start = time.perf_counter()
        total = 0
        async for part in engine.read(result.manifest, keys):
            total += len(part)
        read_s = time.perf_counter() - start
        cpu2 = cpu_seconds()
        assert total == size
        rss = peak_rss_mib()
        stored = dir_size(Path(tmp)) / 2**20
        await engine.close()
        blobs.close()
        if timer is not None:
            timer.restore()
    gib = size / 2**30
    return Result(
        store,
        data,
        size / write_s / 1e6,
        size / read_s / 1e6,
        stored,
        rss,
        (cpu1 - cpu0) / gib,
        (cpu2 - cpu1) / gib,
    )


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def generator_speed(data: str, size: int) -> float:
    start = time.perf_counter()
    for _ in DATA[data](size):
        pass
    return size / (time.perf_counter() - start) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--stores", default="local,erasure")
    parser.add_argument("--data", default="random,text")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--min-kib", type=int, default=512)
    parser.add_argument("--avg-kib", type=int, default=2048)
    parser.add_argument("--max-kib", type=int, default=4096)
    parser.add_argument("--compression", default="fast", choices=["off", "fast", "strong"])
    parser.add_argument("--dir", default=None, help="where the temp stores go")
    parser.add_argument(
        "--stages", action="store_true", help="time each pipeline stage (summed over threads)"
    )
    args = parser.parse_args()
    size = args.size_mib << 20
    cases = [(s, d) for s in args.stores.split(",") for d in args.data.split(",")]
    print(
        f"chunks min/avg/max {args.min_kib}/{args.avg_kib}/{args.max_kib} KiB, "
        f"compression {args.compression}, workers {args.workers or 'default'}, "
        f"{os.cpu_count()} CPUs, {args.size_mib} MiB per case\n"
    )
    for data in args.data.split(","):
        _text_base()
        speed = generator_speed(data, min(size, 256 << 20))
        print(f"source generator alone, {data}: {speed:.0f} MB/s")
    print()
    print(
        "| store | data | write MB/s | read MB/s | stored MiB | peak RSS MiB "
        "| write CPU s/GiB | read CPU s/GiB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for store, data in cases:
        timer = StageTimer() if args.stages else None
        cpu = os.times()
        result = asyncio.run(run_case(store, data, size, args, timer))
        used = os.times()
        print(
            f"| {result.store} | {result.data} | {result.write_mbs:.0f} | {result.read_mbs:.0f} "
            f"| {result.stored_mib:.0f} | {result.rss_mib:.0f} | {result.write_cpu:.2f} "
            f"| {result.read_cpu:.2f} |",
            flush=True,
        )
        if timer is not None:
            timer.report(used.user - cpu.user, used.system - cpu.system)
    print(
        f"\ngoals: write random >= {GOALS['write random']:.0f}, write text >= "
        f"{GOALS['write text']:.0f}, read >= {GOALS['read']:.0f} MB/s, peak RSS <= "
        f"{GOALS['rss']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
