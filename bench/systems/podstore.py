"""podstore itself, through its native API (`/api/v1`), started with `podstore serve`.

Setup: sign up a user, log in (Bearer token), create the pod `bench`. Files live at
`/api/v1/pods/bench/files/{path}`; listings at `/api/v1/pods/bench/list/{path}`.

Scenario 4 hook: `reupload` uses `podstore put` and its dedup handshake, as a user would
(BENCH_PODSTORE_PUT_CLI=0 measures a plain PUT instead).
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from bench import client
from bench.install import Tools
from bench.systems.base import FILES, LIST, SMALL, Listing, System

POD = "bench"
USER = "bench"
PASSWORD = "bench-password-0123"  # >= 12 characters
API = "/api/v1"


def podstore_exe() -> Path:
    return Path(sys.executable).parent / "podstore"


def podstore_missing() -> str | None:
    """None when `podstore serve` can run, else why not."""
    try:
        import podstore.cli  # noqa: F401
    except ImportError as exc:
        return f"podstore.cli cannot be imported ({exc})"
    if not podstore_exe().exists():
        return f"{podstore_exe()} is missing (run `make venv`)"
    return None


class Podstore(System):
    name = "podstore"

    def __init__(self, tools: Tools, run_dir: Path) -> None:
        super().__init__(tools, run_dir)
        self.token = ""

    @classmethod
    def available(cls, tools: Tools) -> str | None:
        return podstore_missing()

    def command(self) -> list[str]:
        return [
            str(podstore_exe()),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data",
            str(self.data_dir),
        ]

    def ready(self) -> bool:
        with client.http_client(timeout=2) as c:
            return c.get(self.base_url + "/healthz").status_code < 500

    def after_start(self) -> None:
        creds = {"name": USER, "password": PASSWORD}
        with client.http_client() as c:
            resp = c.post(self.base_url + API + "/signup", json=creds)
            if resp.status_code not in (200, 201, 409):
                client.check(resp, "signup")
            resp = client.check(c.post(self.base_url + API + "/login", json=creds), "login")
            self.token = str(resp.json()["token"])
            # The login also set a session cookie; the Bearer token takes precedence over it
            # (a cookie alone would need an X-CSRF-Token), whatever `headers()` sends later.
            bearer = {"Authorization": f"Bearer {self.token}"}
            resp = c.post(self.base_url + API + "/pods", json={"name": POD}, headers=bearer)
            if resp.status_code not in (200, 201, 409):
                client.check(resp, "create pod")

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _api(self, action: str, path: str) -> str:
        return f"{self.base_url}{API}/pods/{POD}/{action}/{quote(path)}"

    def url(self, path: str) -> str:
        return self._api("files", path)

    def mkdir(self, c: httpx.Client, path: str) -> None:
        resp = c.post(self._api("mkdir", path), headers=self.headers())
        if resp.status_code >= 300 and resp.status_code != 409:
            client.check(resp, f"mkdir {path}")

    def listings(self, folder: str) -> list[Listing]:
        url = self._api("list", folder)
        headers = self.headers()

        def one_page(c: httpx.Client) -> httpx.Response:
            return client.check(c.get(url, params={"limit": 10_000}, headers=headers), url)

        def count_one(resp: httpx.Response) -> int:
            return len(resp.json()["entries"])

        def all_pages(c: httpx.Client) -> httpx.Response:
            resp = client.check(c.get(url, headers=headers), url)
            entries = list(resp.json()["entries"])
            nxt = resp.json().get("next")
            for _ in range(10_000):  # bounded: at most one page per entry
                if not nxt:
                    break
                page = client.check(c.get(url, params={"cursor": nxt}, headers=headers), url)
                entries += page.json()["entries"]
                nxt = page.json().get("next")
            return httpx.Response(200, json={"entries": entries})

        return [
            Listing(self.name, one_page, count_one, "JSON, one request, limit=10000"),
            Listing(f"{self.name} (paged)", all_pages, count_one, "JSON, default limit + next"),
        ]

    # -- scenario 4 hook ----------------------------------------------------------------

    def reupload(self, path: str, file: Path) -> client.Transfer:
        if os.environ.get("BENCH_PODSTORE_PUT_CLI", "1") != "0":
            return self.cli_put(path, file)
        return self.upload(path, file)

    def cli_put(self, path: str, file: Path) -> client.Transfer:
        """`podstore put` (dedup handshake). Bytes sent = request body bytes the server
        received meanwhile, from its own /metrics (chunk lists and chunks alike)."""
        argv = [str(podstore_exe()), "put", str(file), f"{POD}/{path}"]
        env = {**os.environ, "PODSTORE_URL": self.base_url, "PODSTORE_TOKEN": self.token}
        before = self.bytes_received()
        t0 = time.perf_counter()
        try:
            done = subprocess.run(argv, capture_output=True, env=env, timeout=1800)
        except subprocess.TimeoutExpired:
            raise client.TransferError("podstore put timed out") from None
        seconds = time.perf_counter() - t0
        if done.returncode != 0:
            raise client.TransferError(f"podstore put failed: {done.stderr.decode()[:300]}")
        return client.Transfer(self.bytes_received() - before, 0, seconds, 200)

    def bytes_received(self) -> int:
        text = httpx.get(self.base_url + "/metrics", timeout=30).text
        for line in text.splitlines():
            if line.startswith("podstore_bytes_in_total "):
                return int(float(line.split()[1]))
        raise client.TransferError("podstore /metrics has no podstore_bytes_in_total")


class PodstoreDav(Podstore):
    """podstore through WebDAV (`/dav/bench/…`, HTTP Basic): the same server as `podstore`,
    reached the way a mounted drive or rclone reaches it. Listings are PROPFIND depth 1."""

    name = "podstore-dav"
    capabilities = frozenset({FILES, SMALL, LIST})

    def headers(self) -> dict[str, str]:
        pair = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}

    def url(self, path: str) -> str:
        return f"{self.base_url}/dav/{POD}/{quote(path)}"

    def mkdir(self, c: httpx.Client, path: str) -> None:
        System.mkdir(self, c, path)

    def listings(self, folder: str) -> list[Listing]:
        return System.listings(self, folder)
