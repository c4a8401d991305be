"""FairOS routes next to the native API, in one run against a real `podstore serve`.

    python -m bench.fairos [--big-mib 1024] [--seconds 10]

Measures, and prints as a table (medians of alternated runs where it says so):
- a big file up and down: native PUT/GET vs FairOS multipart upload and GET download on
  the main listener (granian) and on the `fairos` listener (h11, Go's header case);
- 4 KiB files written per second with 16 keep-alive clients (wrk): native PUT vs FairOS
  `/v1/file/upload`, both listeners;
- FairOS KV get per second on both listeners: what serving Go's header case costs.
Goal (issue 14): big transfers within 10 % of native, small files within 25 %.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import httpx

from bench.kvdocs import PASSWORD, free_port, start_server, stop_server

CLIENTS = 16
SMALL = 4096

PUT_LUA = """
wrk.headers["Authorization"] = "Bearer %(token)s"
local body = string.rep("x", %(size)d)
local n = 0
request = function()
  n = n + 1
  local id = tostring(math.random(1, 1000000000)) .. "-" .. n
  return wrk.format("PUT", "/api/v1/pods/bench/files/small/" .. id, nil, body)
end
"""
UPLOAD_LUA = """
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=XbenchX"
local data = string.rep("x", %(size)d)
local n = 0
request = function()
  n = n + 1
  local id = tostring(math.random(1, 1000000000)) .. "-" .. n
  local body = "--XbenchX\\r\\nContent-Disposition: form-data; name=\\"files\\"; filename=\\""
    .. id .. "\\"\\r\\n\\r\\n" .. data .. "\\r\\n--XbenchX--\\r\\n"
  return wrk.format("POST", "/v1/file/upload?podName=bench&dirPath=/small&blockSize=1Mb",
    nil, body)
end
"""
GET_LUA = """
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  return wrk.format("GET", "/v1/kv/entry/get?podName=bench&tableName=t&key=k")
end
"""


def wrk_rate(port: int, script: str, seconds: float) -> float:
    """Answers per second; raises if any answer failed."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{CLIENTS}", f"-d{max(1, round(seconds))}s", "-s", file.name,
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=seconds + 60, check=False,
        )  # fmt: skip
    finally:
        os.unlink(file.name)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    if rate is None or "Non-2xx" in out.stdout or "Socket errors" in out.stdout:
        raise RuntimeError(f"wrk: {out.stdout[-400:]} {out.stderr[-300:]}")
    return float(rate.group(1))


def curl(*args: str) -> float:
    """Seconds of one curl transfer; raises on an HTTP status >= 300."""
    done = subprocess.run(
        ["curl", "-s", "-S", "-o", "/dev/null", "-H", "Expect:", "-w", "%{http_code} %{time_total}",
         *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    code, seconds = done.stdout.split()
    if int(code) >= 300:
        raise RuntimeError(f"curl {args[-1]} -> {code}")
    return float(seconds)


def setup(port: int) -> tuple[str, str]:
    """(podstore token, FairOS accessToken) of a new user with pod `bench` open, a `small`
    folder and a KV table `t` holding `k`."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as web:
        signed = web.post(
            "/v2/user/signup", json={"userName": "bench", "password": PASSWORD}
        ).json()
        token = web.cookies["fairOS-dfs"]
        web.cookies.clear()
        web.headers["Authorization"] = f"Bearer {signed['accessToken']}"
        for path, body in (
            ("/v1/pod/new", {"podName": "bench"}),
            ("/v1/dir/mkdir", {"podName": "bench", "dirPath": "/small"}),
            ("/v1/kv/new", {"podName": "bench", "tableName": "t"}),
            ("/v1/kv/open", {"podName": "bench", "tableName": "t"}),
            ("/v1/kv/entry/put", {"podName": "bench", "tableName": "t", "key": "k", "value": "v"}),
        ):
            assert web.post(path, json=body).status_code < 300, path
    return token, signed["accessToken"]


def new_pod(port: int, access: str, name: str) -> str:
    """A new pod, opened in the session of `access`."""
    headers = {"Authorization": f"Bearer {access}"}
    made = httpx.post(
        f"http://127.0.0.1:{port}/v1/pod/new", json={"podName": name}, headers=headers
    )
    assert made.status_code == 201, made.text
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("curl"):
        raise SystemExit("needs wrk and curl")
    work = Path(tempfile.mkdtemp(prefix="bench-fairos-"))
    port, fairos_port = free_port(), free_port()
    listener = {
        "PODSTORE_LISTENERS__FAIROS__ENABLED": "true",
        "PODSTORE_LISTENERS__FAIROS__PORT": str(fairos_port),
    }
    proc = start_server(work / "data", port, 1, None, listener)
    try:
        token, access = setup(port)
        big = work / "big.bin"
        with big.open("wb") as out:
            for _ in range(args.big_mib):
                out.write(os.urandom(1024 * 1024))
        bearer = ["-H", f"Authorization: Bearer {token}"]
        fair = ["-H", f"Authorization: Bearer {access}"]
        bases = {
            "FairOS, main listener": f"http://127.0.0.1:{port}",
            "FairOS, fairos listener": f"http://127.0.0.1:{fairos_port}",
        }
        mb = args.big_mib * 1024 * 1024 / 1e6
        times: dict[str, list[tuple[float, float]]] = {"native": [], **{n: [] for n in bases}}
        for run in range(args.runs):
            for number, name in enumerate(times):
                pod = new_pod(port, access, f"big{run}x{number}")  # no dedup between ways
                if name == "native":
                    native = f"http://127.0.0.1:{port}/api/v1/pods/{pod}/files/big.bin"
                    up = curl(*bearer, "-T", str(big), native)
                    down = curl(*bearer, native)
                else:
                    form = ["-F", f"podName={pod}", "-F", "dirPath=/", "-F", "blockSize=8Mb"]
                    upload = f"{bases[name]}/v1/file/upload"
                    up = curl(*fair, *form, "-F", f"files=@{big}", upload)
                    query = f"podName={pod}&filePath=/big.bin"
                    down = curl(*fair, f"{bases[name]}/v1/file/download?{query}")
                times[name].append((up, down))
        print(f"| {args.big_mib} MiB file | upload MB/s | download MB/s |")
        print("|---|---|---|")
        for name, runs in times.items():
            up_s = statistics.median(r[0] for r in runs)
            down_s = statistics.median(r[1] for r in runs)
            print(f"| {name} | {mb / up_s:.0f} | {mb / down_s:.0f} |")
        print(f"\n| {CLIENTS} clients, {args.seconds:g} s | 4 KiB files/s | FairOS KV get/s |")
        print("|---|---|---|")
        put = PUT_LUA % {"token": token, "size": SMALL}
        upload = UPLOAD_LUA % {"token": access, "size": SMALL}
        get = GET_LUA % {"token": access}
        print(f"| native | {wrk_rate(port, put, args.seconds):.0f} | |")
        for name, p in (("FairOS, main listener", port), ("FairOS, fairos listener", fairos_port)):
            files = wrk_rate(p, upload, args.seconds)
            print(f"| {name} | {files:.0f} | {wrk_rate(p, get, args.seconds):.0f} |")
    finally:
        stop_server(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
