"""The one client every system is measured with: curl for big transfers, httpx for the rest."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

CURL_FORMAT = "%{http_code} %{size_upload} %{size_download} %{time_total}"


@dataclass(frozen=True)
class Transfer:
    """One curl transfer: bytes sent and received, wall seconds, HTTP status, kept body."""

    bytes_sent: int
    bytes_received: int
    seconds: float
    status: int
    body: bytes = b""

    def mb_per_s(self, nbytes: int) -> float:
        return nbytes / self.seconds / 1e6 if self.seconds > 0 else 0.0


class TransferError(RuntimeError):
    pass


def _header_args(headers: Mapping[str, str]) -> list[str]:
    out: list[str] = []
    for key, value in headers.items():
        out += ["-H", f"{key}: {value}"]
    return out


def _curl(curl: Path, args: list[str], url: str, timeout: float) -> tuple[Transfer, str]:
    argv = [str(curl), "-s", "-S", "--max-time", str(int(timeout)), "-w", CURL_FORMAT, *args, url]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout + 30, check=False)
    except subprocess.TimeoutExpired as exc:
        raise TransferError(f"curl timed out after {timeout:.0f} s: {url}") from exc
    stdout = done.stdout.decode(errors="replace")
    tail = stdout.rsplit("\n", 1)[-1].split()
    if done.returncode != 0 or len(tail) < 4:
        raise TransferError(f"curl failed ({done.returncode}) {url}: {done.stderr.decode()[:300]}")
    code, up, down, total = int(tail[0]), float(tail[1]), float(tail[2]), float(tail[3])
    return Transfer(int(up), int(down), total, code), stdout


def upload(
    curl: Path,
    url: str,
    file: Path,
    headers: Mapping[str, str],
    *,
    timeout: float = 1800,
    keep_body: bool = False,
) -> Transfer:
    """`curl -H 'Expect:' -T file URL` (a PUT); raises on an HTTP status >= 300."""
    body_file = file.parent / f".curl-body-{file.name}-{time.monotonic_ns()}"
    out_args = ["-o", str(body_file)] if keep_body else ["-o", "/dev/null"]
    args = ["-H", "Expect:", "-T", str(file), *out_args, *_header_args(headers)]
    try:
        result, _ = _curl(curl, args, url, timeout)
        body = body_file.read_bytes() if keep_body and body_file.exists() else b""
    finally:
        body_file.unlink(missing_ok=True)
    if result.status >= 300:
        raise TransferError(f"PUT {url} -> HTTP {result.status} {body[:300]!r}")
    return Transfer(result.bytes_sent, result.bytes_received, result.seconds, result.status, body)


def download(
    curl: Path, url: str, headers: Mapping[str, str], *, expect_size: int, timeout: float = 1800
) -> Transfer:
    """`curl -o /dev/null URL`; raises unless it returned 200 with `expect_size` bytes."""
    result, _ = _curl(curl, ["-o", "/dev/null", *_header_args(headers)], url, timeout)
    if result.status >= 300 or result.bytes_received != expect_size:
        raise TransferError(
            f"GET {url} -> HTTP {result.status}, {result.bytes_received} of {expect_size} bytes"
        )
    return result


def http_client(timeout: float = 120.0) -> httpx.Client:
    """A keep-alive httpx client for loopback (no proxies from the environment)."""
    return httpx.Client(timeout=timeout, trust_env=False)


def check(resp: httpx.Response, what: str) -> httpx.Response:
    if resp.status_code >= 300:
        raise TransferError(f"{what}: HTTP {resp.status_code} {resp.text[:300]}")
    return resp
