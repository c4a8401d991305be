"""Concurrent small-request load: wrk with a generated Lua script, or several httpx processes.

Both drive `clients` keep-alive connections for `seconds` and count 2xx answers. PUT bodies
are unique per request (a thread/counter prefix on a fixed tail) so no system can dedup them.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import procs


@dataclass(frozen=True)
class LoadSpec:
    base_url: str  # http://127.0.0.1:PORT
    method: str  # PUT or GET
    put_template: str  # path with '{name}', for PUT
    get_paths: tuple[str, ...]  # paths cycled through, for GET
    headers: tuple[tuple[str, str], ...]
    body_size: int
    clients: int
    seconds: float


@dataclass(frozen=True)
class LoadResult:
    requests_per_s: float
    ok: int
    errors: int
    tool: str


LUA = """
local threads = {}
local counter = 0
-- `tid` is a global set per thread by setup() (a local here would shadow it)
local method = %(method)s
local template = %(template)s
local gets = %(gets)s
local tail = string.rep("x", %(tail)d)
%(headers)s
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
request = function()
  counter = counter + 1
  if method == "PUT" then
    local name = string.format("t%%d-%%09d.bin", tid or 0, counter)
    local path = template:gsub("{name}", name)
    local body = string.format("%%06d%%018d", tid or 0, counter) .. tail
    return wrk.format("PUT", path, nil, body)
  end
  return wrk.format("GET", gets[(counter %% #gets) + 1])
end
"""


def _lua_str(s: str) -> str:
    return json.dumps(s)  # a JSON string literal is a valid Lua string literal for ASCII


def write_lua(spec: LoadSpec, path: Path) -> Path:
    headers = "\n".join(f"wrk.headers[{_lua_str(k)}] = {_lua_str(v)}" for k, v in spec.headers)
    gets = "{" + ", ".join(_lua_str(p) for p in spec.get_paths) + "}"
    path.write_text(
        LUA
        % {
            "method": _lua_str(spec.method),
            "template": _lua_str(spec.put_template),
            "gets": gets if spec.get_paths else '{"/"}',
            "tail": max(spec.body_size - 24, 0),
            "headers": headers,
        }
    )
    return path


def run_wrk(wrk: Path, spec: LoadSpec, script_dir: Path) -> LoadResult:
    script = write_lua(spec, script_dir / f"load-{spec.method.lower()}.lua")
    threads = min(2, spec.clients)
    argv = [
        str(wrk),
        f"-t{threads}",
        f"-c{spec.clients}",
        f"-d{max(1, round(spec.seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        spec.base_url,
    ]
    out = procs.run(argv, timeout=spec.seconds + 60, check=False)
    text = out.stdout + out.stderr
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if rps is None or total is None:
        raise RuntimeError(f"wrk failed: {text[-500:]}")
    errors = int(bad.group(1)) if bad else 0
    if sock:
        errors += sum(int(g) for g in sock.groups())
    ok = max(int(total.group(1)) - errors, 0)
    # Requests/sec counts every answer; report only the successful ones.
    duration = int(total.group(1)) / float(rps.group(1)) if float(rps.group(1)) else 0.0
    return LoadResult(ok / duration if duration else 0.0, ok, errors, "wrk")


# -- httpx fallback: several processes, a few threads each ---------------------------------


def _worker(spec: LoadSpec, worker: int, threads: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    counts = [0, 0]
    lock = threading.Lock()
    tail = b"x" * max(spec.body_size - 24, 0)
    deadline = time.monotonic() + spec.seconds

    def loop(tid: int) -> None:
        n = ok = bad = 0
        with httpx.Client(base_url=spec.base_url, headers=dict(spec.headers), timeout=10) as c:
            while time.monotonic() < deadline:
                n += 1
                try:
                    if spec.method == "PUT":
                        name = f"w{worker}t{tid}-{n:09d}.bin"
                        body = f"{worker:03d}{tid:03d}{n:018d}".encode() + tail
                        r = c.put(spec.put_template.replace("{name}", name), content=body)
                    else:
                        r = c.get(spec.get_paths[n % len(spec.get_paths)])
                    if r.status_code < 400:
                        ok += 1
                    else:
                        bad += 1
                except httpx.HTTPError:
                    bad += 1
        with lock:
            counts[0] += ok
            counts[1] += bad

    pool = [threading.Thread(target=loop, args=(t,)) for t in range(threads)]
    t0 = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join(spec.seconds + 30)
    out.put((counts[0], counts[1], time.monotonic() - t0))


def run_httpx(spec: LoadSpec, processes: int = 4) -> LoadResult:
    processes = max(1, min(processes, spec.clients))
    per = [spec.clients // processes + (i < spec.clients % processes) for i in range(processes)]
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    workers = [ctx.Process(target=_worker, args=(spec, i, n, queue)) for i, n in enumerate(per)]
    for w in workers:
        w.start()
    results = [queue.get(timeout=spec.seconds + 90) for _ in workers]
    for w in workers:
        w.join(30)
        if w.is_alive():
            w.kill()
    ok = sum(r[0] for r in results)
    bad = sum(r[1] for r in results)
    rps = sum(r[0] / r[2] for r in results if r[2] > 0)
    return LoadResult(rps, ok, bad, f"httpx x{processes} processes")


def run_load(spec: LoadSpec, *, wrk: Path | None, prefer: str, script_dir: Path) -> LoadResult:
    if prefer != "httpx" and wrk is not None:
        return run_wrk(wrk, spec, script_dir)
    if prefer == "wrk":
        raise RuntimeError("wrk requested but not installed")
    return run_httpx(spec)
