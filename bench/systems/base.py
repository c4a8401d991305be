"""The adapter interface every benchmarked system implements, so scenarios are written once.

An adapter knows how to start and stop its server, where a file lives (URL + auth headers),
how to make a folder and how to list one. Transfers always go through `bench.client`
(curl / httpx), never through a system-specific client, so every system sees the same client.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from bench import client, procs
from bench.install import Tools

# What a system can do; scenarios pick the systems that have what they need.
FILES = "files"  # raw PUT/GET of a file at a path
SMALL = "small"  # many small PUT/GETs (scenario 2)
LIST = "list"  # list a folder of many entries (scenario 3)
REUPLOAD = "reupload"  # re-upload scenario (scenario 4)

_DAV_RESPONSE = re.compile(r"<(?:[\w.-]+:)?response[\s>]")

ListFn = Callable[[httpx.Client], httpx.Response]


@dataclass
class Listing:
    """One way of listing a folder: `request` is timed, `count` parses the answer (untimed)."""

    label: str
    request: ListFn
    count: Callable[[httpx.Response], int]
    note: str = ""


class System(ABC):
    """A server under test, started on 127.0.0.1 with a free port and its own data dir."""

    name: str = "?"
    capabilities: frozenset[str] = frozenset({FILES, SMALL, LIST, REUPLOAD})
    ready_timeout: float = 60.0
    # `populate` goes through the system's API (True), fills the folder on disk (False: the
    # files-created row then PUTs another folder with `System.populate`), or does neither
    # file by file (None: no files-created row)
    creates_by_api: bool | None = True

    def __init__(self, tools: Tools, run_dir: Path) -> None:
        self.tools = tools
        self.run_dir = run_dir
        self.home = Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=run_dir))
        self.data_dir = self.home / "data"
        self.data_dir.mkdir()
        self.port = procs.free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_seconds = 0.0
        self.note = ""

    # -- lifecycle ----------------------------------------------------------------------

    @classmethod
    def available(cls, tools: Tools) -> str | None:
        """None when the system can run here, else the reason it cannot."""
        return None

    @abstractmethod
    def command(self) -> list[str]:
        """argv of the server process."""

    def ready(self) -> bool:
        with client.http_client(timeout=2) as c:
            return c.get(self.base_url + "/").status_code < 500

    def after_start(self) -> None:  # noqa: B027 - optional hook
        """Hook for post-start setup (accounts, root folders)."""

    def start(self) -> None:
        self.proc = procs.spawn(self.command(), log=self.home / "server.log", cwd=self.home)

        def probe() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                log = (self.home / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {log}")
            return self.ready()

        self.ready_seconds = procs.wait_until(
            probe, timeout=self.ready_timeout, what=self.name, step=0.05
        )
        self.after_start()

    def stop(self) -> None:
        if self.proc is not None:
            procs.stop(self.proc)

    @property
    def pid(self) -> int:
        """The process whose tree is sampled for RSS."""
        assert self.proc is not None, f"{self.name} not started"
        return self.proc.pid

    # -- addressing ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """URL for a raw PUT/GET of the file at `path` ('/'-separated, relative)."""
        return f"{self.base_url}/{quote(path)}"

    def headers(self) -> dict[str, str]:
        return {}

    def small_put_template(self, folder: str) -> str:
        """Path (no host) to PUT one small file to; '{name}' is replaced by a unique name."""
        return httpx.URL(self.url(f"{folder}/NAME")).raw_path.decode().replace("NAME", "{name}")

    def small_get_path(self, path: str) -> str:
        return httpx.URL(self.url(path)).raw_path.decode()

    # -- operations ---------------------------------------------------------------------

    def upload(self, path: str, file: Path, *, timeout: float = 1800) -> client.Transfer:
        assert self.tools.curl is not None
        return client.upload(self.tools.curl, self.url(path), file, self.headers(), timeout=timeout)

    def download(self, path: str, size: int, *, timeout: float = 1800) -> client.Transfer:
        assert self.tools.curl is not None
        return client.download(
            self.tools.curl, self.url(path), self.headers(), expect_size=size, timeout=timeout
        )

    def reupload(self, path: str, file: Path) -> client.Transfer:
        """Upload a file again (scenario 4); systems with a dedup protocol override this."""
        return self.upload(path, file)

    def put_bytes(self, c: httpx.Client, path: str, data: bytes) -> None:
        client.check(c.put(self.url(path), content=data, headers=self.headers()), f"PUT {path}")

    def mkdir(self, c: httpx.Client, path: str) -> None:
        """Create a folder (WebDAV MKCOL by default); an existing one is fine."""
        resp = c.request("MKCOL", self.url(path) + "/", headers=self.headers())
        if resp.status_code >= 300 and resp.status_code != 405:
            raise client.TransferError(f"MKCOL {path}: HTTP {resp.status_code} {resp.text[:200]}")

    def delete(self, c: httpx.Client, path: str) -> None:
        """Best effort: free the disk space of a big file between runs."""
        c.delete(self.url(path), headers=self.headers())

    def populate(self, c: httpx.Client, folder: str, n: int, data: bytes) -> None:
        """Make `folder` hold `n` small files named f00000.txt... (concurrent PUTs by default)."""
        self.mkdir(c, folder)

        def put_range(start: int) -> None:
            with client.http_client() as cc:
                for i in range(start, min(start + 500, n)):
                    self.put_bytes(cc, f"{folder}/f{i:05d}.txt", data)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(put_range, range(0, n, 500)))

    def listings(self, folder: str) -> list[Listing]:
        """Ways to list `folder`; WebDAV PROPFIND depth 1 by default."""
        url = self.url(folder) + "/"
        headers = {**self.headers(), "Depth": "1", "Content-Type": "application/xml"}
        body = b'<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><allprop/></propfind>'

        def request(c: httpx.Client) -> httpx.Response:
            return client.check(c.request("PROPFIND", url, headers=headers, content=body), url)

        def count(resp: httpx.Response) -> int:
            # one <response> per entry plus one for the folder itself
            return max(len(_DAV_RESPONSE.findall(resp.text)) - 1, 0)

        return [Listing(self.name, request, count, "PROPFIND depth 1")]


class PlainFilesSystem(System):
    """A peer that stores files as plain files under `files_root`: populating is done on disk."""

    creates_by_api = False

    @property
    def files_root(self) -> Path:
        return self.data_dir

    def populate(self, c: httpx.Client, folder: str, n: int, data: bytes) -> None:
        target = self.files_root / folder
        target.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            (target / f"f{i:05d}.txt").write_bytes(data)
