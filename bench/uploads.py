"""Resumable-upload benchmark (issue 6): `python -m bench.uploads [--size-mib 1024]`.

Starts its own podstore server (SQLite + local blobs in a temp folder) and measures, on
fresh random content each time so nothing is deduplicated by accident:

- raw PUT of the file (one streaming request), MB/s
- handshake upload (`podstore put`'s code path: cut and hash locally while declaring and
  sending the missing chunks in parallel, commit), MB/s, including the local hashing
  (the two alternate, `--rounds` times each; every run is listed with the CPU seconds other
  processes used meanwhile, so a run on a busy machine can be told apart; best of the rounds)
- tus upload with tuspy (32 MiB PATCHes), MB/s
- identical re-upload: with the CLI's saved chunk list (warm) and hashing again (cold), s
- the same file with a one-byte edit in the middle: chunks sent (= new chunks stored)

Prints one JSON object. Not a test; numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from podstore.cli import transfer
from podstore.cli.client import Client

MiB = 1024 * 1024
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODSTORE_")}
    env.update(PODSTORE_DATA_DIR=str(root / "data"), PODSTORE_LOG_LEVEL="warning")
    proc = subprocess.Popen(
        [sys.executable, "-m", "podstore", "serve", "--port", str(port)],
        env=env,
        stdout=(root / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


def login(url: str) -> str:
    with httpx.Client(base_url=url + "/api/v1", timeout=60) as anon:
        name = f"bench-{os.urandom(4).hex()}"
        anon.post("/signup", json={"name": name, "password": PASSWORD}).raise_for_status()
        token: str = anon.post("/login", json={"name": name, "password": PASSWORD}).json()["token"]
    with httpx.Client(base_url=url + "/api/v1", timeout=60) as user:
        user.headers["Authorization"] = f"Bearer {token}"
        user.post("/pods", json={"name": "bench"}).raise_for_status()
    return token


def random_file(path: Path, size: int) -> None:
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(left, 8 * MiB))
            out.write(block)
            left -= len(block)


def busy_seconds() -> float:
    """CPU seconds all processes used so far (from /proc/stat; 0 where there is none)."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return 0.0
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def tree_seconds(pid: int) -> float:
    """CPU seconds of a process and its children (the server and its workers)."""
    total = 0.0
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids = [pid, *map(int, f.read().split())]
        for p in pids:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0
    return total


def timed_put(client: Client, path: Path, target: str, **kw: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    stats = transfer.put(client, path, "bench", target, **kw)
    return time.perf_counter() - started, stats


def measured_put(
    server: int, client: Client, path: Path, target: str, **kw: Any
) -> tuple[float, dict[str, float]]:
    """Seconds, and CPU seconds of the client, the server and everything else meanwhile."""
    busy, own, served = busy_seconds(), time.process_time(), tree_seconds(server)
    seconds, _ = timed_put(client, path, target, **kw)
    own, served = time.process_time() - own, tree_seconds(server) - served
    other = max(busy_seconds() - busy - own - served, 0.0)
    cpu = {"client_cpu_s": round(own, 2), "server_cpu_s": round(served, 2)}
    return seconds, {**cpu, "other_cpu_s": round(other, 2)}


def bench(size: int, root: Path, rounds: int = 2) -> dict[str, Any]:
    proc, url = start_server(root)
    try:
        token = login(url)
        client = Client(url, token)
        os.environ["XDG_STATE_HOME"] = str(root / "state")
        result: dict[str, Any] = {"size_mib": size // MiB, "cpus": os.cpu_count()}
        names = [f"{kind}-{n}" for n in range(rounds) for kind in ("raw", "handshake")]
        for name in (*names, "handshake", "tus"):
            random_file(root / f"{name}.bin", size)
        os.sync()  # the page cache writeback of the inputs must not land in a measurement

        def rate(seconds: float) -> float:
            return round(size / seconds / 1e6, 1)

        # fresh content every run; raw and handshake alternate, the best of each is kept
        runs: list[dict[str, Any]] = []
        for name in names:
            seconds, cpu = measured_put(
                proc.pid, client, root / f"{name}.bin", f"{name}.bin", raw=name.startswith("raw")
            )
            runs.append({"run": name, "MBps": rate(seconds), **cpu})
        result["raw_put_MBps"] = max(r["MBps"] for r in runs if r["run"].startswith("raw"))
        result["handshake_MBps"] = max(r["MBps"] for r in runs if r["run"].startswith("hand"))
        result["runs"] = runs
        timed_put(client, root / "handshake.bin", "hs.bin")

        from tusclient import client as tus_client

        tus = tus_client.TusClient(
            f"{url}/api/v1/pods/bench/tus/", headers={"Authorization": f"Bearer {token}"}
        )
        uploader = tus.uploader(
            file_path=str(root / "tus.bin"), metadata={"path": "tus.bin"}, chunk_size=32 * MiB
        )
        started = time.perf_counter()
        uploader.upload()
        result["tus_MBps"] = rate(time.perf_counter() - started)

        seconds, stats = timed_put(client, root / "handshake.bin", "hs.bin")
        result["identical_reupload_warm_s"] = round(seconds, 3)
        result["identical_reupload_bytes_sent"] = stats.bytes_sent
        seconds, stats = timed_put(client, root / "handshake.bin", "hs.bin", fresh=True)
        result["identical_reupload_cold_s"] = round(seconds, 3)
        seconds, stats = timed_put(client, root / "handshake.bin", "hs-copy.bin", fresh=True)
        result["identical_reupload_other_path_cold_s"] = round(seconds, 3)

        with (root / "handshake.bin").open("r+b") as edit:
            edit.seek(size // 2)
            byte = edit.read(1)
            edit.seek(size // 2)
            edit.write(bytes([byte[0] ^ 0xFF]))
        seconds, stats = timed_put(client, root / "handshake.bin", "hs.bin")
        result["one_byte_edit_s"] = round(seconds, 3)
        result["one_byte_edit_chunks_sent"] = stats.chunks_sent
        result["one_byte_edit_bytes_sent"] = stats.bytes_sent
        client.close()
        return result
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=2, help="raw and handshake runs each")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        print(json.dumps(bench(args.size_mib * MiB, Path(tmp), max(1, args.rounds)), indent=2))


if __name__ == "__main__":
    main()
