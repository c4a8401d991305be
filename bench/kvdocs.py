"""Bench of KV tables and document collections over HTTP against a real `podstore serve`.

    python -m bench.kvdocs [--rows 1000000] [--docs 1000000] [--seconds 10] [--workers 1]
                           [--database-url postgresql+psycopg://…]

Measures, and prints as a table:
- KV put, get and a 50/50 mix with 16 concurrent keep-alive clients, ops/s: driven by wrk
  (C, little CPU) when it is installed, else by one asyncio loop with a minimal HTTP/1.1
  client (which costs the server about a third of a core);
- a batch import of N rows (JSON lines, one request), seconds;
- doc find on N documents, indexed equality and indexed range, p50/p95 latency in ms.
Not a test: it needs minutes and about 2 GiB of memory at the default sizes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"
CLIENTS = 16


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    data: Path,
    port: int,
    workers: int,
    database_url: str | None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODSTORE_")}
    env |= {
        "PODSTORE_DATA_DIR": str(data),
        "PODSTORE_LOG_LEVEL": "warning",
        "PODSTORE_ARGON2_MEMORY_KIB": "1024",
        "PODSTORE_ARGON2_TIME_COST": "1",
        "PODSTORE_WORKERS": str(workers),
    }
    if database_url:
        env["PODSTORE_DATABASE_URL"] = database_url
    env |= extra_env or {}
    cmd = [sys.executable, "-m", "podstore", "serve", "--host", "127.0.0.1"]
    log = (data.parent / "server.log").open("ab")
    proc = subprocess.Popen(
        [*cmd, "--port", str(port), "--data", str(data)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("the server did not start; see server.log")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def login(base: str) -> str:
    name = f"bench-{random.randrange(10**9)}"
    with httpx.Client(base_url=base, timeout=60) as http:
        assert http.post("/signup", json={"name": name, "password": PASSWORD}).status_code == 201
        token: str = http.post("/login", json={"name": name, "password": PASSWORD}).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        assert http.post("/pods", json={"name": "bench"}).status_code == 201
    return token


class RawClient:
    """One keep-alive HTTP/1.1 connection; just enough protocol for this bench."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {self.token}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await self.reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), payload


async def kv_load(port: int, token: str, seconds: float, op: str) -> tuple[int, int]:
    clients = [RawClient(port, token) for _ in range(CLIENTS)]
    await asyncio.gather(*(c.open() for c in clients))
    deadline = time.perf_counter() + seconds
    done, errors = 0, 0

    async def run(client: RawClient, n: int) -> None:
        nonlocal done, errors
        rng = random.Random(n)
        while time.perf_counter() < deadline:
            key = f"k{rng.randrange(100_000):06d}"
            kind = op if op != "mixed" else rng.choice(("put", "get"))
            if kind == "put":
                status, _ = await client.request(
                    "PUT", f"/api/v1/pods/bench/kv/hot/{key}", b"v" * 100
                )
            else:
                status, _ = await client.request("GET", f"/api/v1/pods/bench/kv/hot/{key}")
            done += 1
            errors += status >= 400  # every key exists

    await asyncio.gather(*(run(c, i) for i, c in enumerate(clients)))
    for c in clients:
        c.writer.close()
    return done, errors


KV_LUA = """
wrk.headers["Authorization"] = "Bearer %(token)s"
local op = "%(op)s"
local value = string.rep("v", 100)
function setup(thread)
  thread:set("seed", math.random(1, 1000000))
end
function init(args)
  math.randomseed(seed or 1)
end
request = function()
  local key = string.format("k%%06d", math.random(0, 99999))
  local kind = op
  if op == "mixed" then
    kind = (math.random() < 0.5) and "put" or "get"
  end
  if kind == "put" then
    return wrk.format("PUT", "/api/v1/pods/bench/kv/hot/" .. key, nil, value)
  end
  return wrk.format("GET", "/api/v1/pods/bench/kv/hot/" .. key)
end
"""


def kv_load_wrk(wrk: str, port: int, token: str, seconds: float, op: str) -> tuple[int, int]:
    """(answers, errors): every key exists, so any 4xx/5xx or socket error is an error."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(KV_LUA % {"token": token, "op": op})
    try:
        out = subprocess.run(
            [wrk, "-t2", f"-c{CLIENTS}", f"-d{max(1, round(seconds))}s", "-s", script.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=seconds + 60, check=False,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    total = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out.stdout)
    if total is None:
        raise RuntimeError(f"wrk failed: {out.stdout[-300:]} {out.stderr[-300:]}")
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out.stdout
    )
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    errors = sum(int(g) for g in sock.groups()) if sock else 0
    return int(total.group(1)), errors + (int(failed.group(1)) if failed else 0)


def timed(http: httpx.Client, method: str, path: str, **kw: Any) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = http.request(method, path, **kw)
    return time.perf_counter() - start, response


def latencies(http: httpx.Client, bodies: list[dict[str, Any]]) -> tuple[float, float, int]:
    samples, hits = [], 0
    for body in bodies:
        took, response = timed(http, "POST", "/pods/bench/docs/people/find", json=body)
        assert response.status_code == 200, response.text
        hits += len(response.json()["docs"])
        samples.append(took * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)], hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--client", choices=("wrk", "asyncio"), default="wrk")
    args = parser.parse_args()
    results: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="kvdocs-") as tmp:
        port = free_port()
        proc = start_server(Path(tmp) / "data", port, args.workers, args.database_url)
        try:
            base = f"http://127.0.0.1:{port}/api/v1"
            token = login(base)
            http = httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=3600
            )
            http.post("/pods/bench/kv", json={"name": "hot"})
            for start in range(0, 100_000, 10_000):  # every key the load asks for exists
                items = [
                    {"key": f"k{i:06d}", "value": "v" * 100} for i in range(start, start + 10_000)
                ]
                assert http.post("/pods/bench/kv/hot/batch", json={"items": items}).is_success
            wrk = None if args.client == "asyncio" else shutil.which("wrk")
            for op in ("put", "get", "mixed"):
                if wrk:
                    done, errors = kv_load_wrk(wrk, port, token, args.seconds, op)
                else:
                    done, errors = asyncio.run(kv_load(port, token, args.seconds, op))
                rate = done / args.seconds
                results.append(
                    (
                        f"KV {op}, {CLIENTS} clients ({'wrk' if wrk else 'asyncio'})",
                        f"{rate:,.0f} ops/s",
                        f"{errors} errors",
                    )
                )
                print(results[-1], flush=True)

            http.post("/pods/bench/kv", json={"name": "big"})
            lines = "".join(
                f'{{"key":"row{i:08d}","value":"value of row {i}"}}\n' for i in range(args.rows)
            ).encode()
            took, response = timed(http, "POST", "/pods/bench/kv/big/import", content=lines)
            assert response.status_code == 200, response.text[:500]
            results.append(
                (
                    f"KV import {args.rows:,} rows",
                    f"{took:.1f} s",
                    f"{args.rows / took:,.0f} rows/s",
                )
            )
            print(results[-1], flush=True)

            spec = "name=string,age=number,city=string"
            http.post("/pods/bench/docs", json={"name": "people", "indexes": spec})
            cities = ["Oslo", "Rome", "Lima", "Pune", "Kobe", "Nice", "Bonn", "Cork"]
            load_time, chunk = 0.0, 250_000
            for start in range(0, args.docs, chunk):
                body = "".join(
                    json.dumps(
                        {
                            "id": f"d{i:08d}",
                            "name": f"user-{i}",
                            "age": i % 100,
                            "city": cities[i % 8],
                            "score": (i * 7919) % 1000 / 10,
                        }
                    )
                    + "\n"
                    for i in range(start, min(start + chunk, args.docs))
                ).encode()
                took, response = timed(http, "POST", "/pods/bench/docs/people/import", content=body)
                assert response.status_code == 200, response.text[:500]
                load_time += took
            results.append((f"docs import {args.docs:,} documents", f"{load_time:.1f} s", ""))
            print(results[-1], flush=True)

            rng = random.Random(7)
            equal = [
                {"filter": {"name": f"user-{rng.randrange(args.docs)}"}, "limit": 10}
                for _ in range(300)
            ]
            p50, p95, hits = latencies(http, equal)
            results.append(
                ("find, indexed equality", f"p50 {p50:.2f} ms", f"p95 {p95:.2f} ms, {hits} hits")
            )
            print(results[-1], flush=True)
            ranges = []
            for _ in range(300):
                low = rng.randrange(95)
                ranges.append({"filter": {"age": {"$gte": low, "$lt": low + 5}}, "limit": 10})
            p50, p95, hits = latencies(http, ranges)
            results.append(
                (
                    "find, indexed range (5% of docs)",
                    f"p50 {p50:.2f} ms",
                    f"p95 {p95:.2f} ms, {hits} hits",
                )
            )
            print(results[-1], flush=True)
            narrow = []
            for _ in range(300):
                low = rng.randrange(args.docs)
                narrow.append(
                    {
                        "filter": {"name": {"$gte": f"user-{low}", "$lt": f"user-{low}0"}},
                        "limit": 10,
                    }
                )
            p50, p95, hits = latencies(http, narrow)
            results.append(
                (
                    "find, indexed string range",
                    f"p50 {p50:.2f} ms",
                    f"p95 {p95:.2f} ms, {hits} hits",
                )
            )
            print(results[-1], flush=True)
            exprs = [{"expr": f"age=>{rng.randrange(100)}", "limit": 10} for _ in range(300)]
            p50, p95, hits = latencies(http, exprs)
            results.append(
                ("find, FairOS expr age=>N", f"p50 {p50:.2f} ms", f"p95 {p95:.2f} ms, {hits} hits")
            )
            http.close()
        finally:
            stop_server(proc)
    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\npodstore kv/docs bench ({db}, {args.workers} worker(s), {os.cpu_count()} CPUs)")
    width = max(len(r[0]) for r in results)
    for name, value, extra in results:
        print(f"  {name:<{width}}  {value:>16}  {extra}")


if __name__ == "__main__":
    main()
