"""Tahoe-LAFS: one introducer + one storage node (1-of-1 shares), files under one root dircap.

Big files and listings live under a mutable root directory (`/uri/$ROOT/path`). Small PUTs go
to `PUT /uri` (unlinked immutable files): concurrent writes into one mutable directory
collide in Tahoe (UncoordinatedWriteError), which would measure our misuse, not Tahoe.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import httpx

from bench import client, procs
from bench.install import Tools
from bench.systems.base import Listing, System


class Tahoe(System):
    name = "tahoe"
    ready_timeout = 120.0

    def __init__(self, tools: Tools, run_dir: Path) -> None:
        super().__init__(tools, run_dir)
        self.intro_port = procs.free_port()
        self.node_port = procs.free_port()
        self.intro_dir = self.home / "intro"
        self.node_dir = self.data_dir / "node"
        self.intro: procs.subprocess.Popen[bytes] | None = None
        self.root = ""

    @classmethod
    def available(cls, tools: Tools) -> str | None:
        return None if tools.tahoe else "tahoe-lafs not installed"

    def _tahoe(self, *args: str) -> None:
        assert self.tools.tahoe is not None
        procs.run([str(self.tools.tahoe), *args], timeout=120)

    def command(self) -> list[str]:
        assert self.tools.tahoe is not None
        return [str(self.tools.tahoe), "run", "--allow-stdin-close", str(self.node_dir)]

    def start(self) -> None:
        assert self.tools.tahoe is not None
        self._tahoe(
            "create-introducer",
            f"--port=tcp:{self.intro_port}:interface=127.0.0.1",
            f"--location=tcp:127.0.0.1:{self.intro_port}",
            str(self.intro_dir),
        )
        self.intro = procs.spawn(
            [str(self.tools.tahoe), "run", "--allow-stdin-close", str(self.intro_dir)],
            log=self.home / "intro.log",
            cwd=self.home,
        )
        furl_file = self.intro_dir / "private" / "introducer.furl"
        procs.wait_until(furl_file.exists, timeout=60, what="tahoe introducer")
        self._tahoe(
            "create-node",
            f"--port=tcp:{self.node_port}:interface=127.0.0.1",
            f"--location=tcp:127.0.0.1:{self.node_port}",
            f"--webport=tcp:{self.port}:interface=127.0.0.1",
            f"--introducer={furl_file.read_text().strip()}",
            "--shares-needed=1",
            "--shares-happy=1",
            "--shares-total=1",
            "--nickname=bench",
            str(self.node_dir),
        )
        super().start()

    def ready(self) -> bool:
        with client.http_client(timeout=2) as c:
            resp = c.get(self.base_url + "/", params={"t": "json"})
            if resp.status_code != 200:
                return False
            servers = resp.json().get("servers", [])
            return any(
                s.get("connection_status", "").lower().startswith("connected") for s in servers
            )

    def after_start(self) -> None:
        with client.http_client() as c:
            resp = client.check(c.post(self.base_url + "/uri", params={"t": "mkdir"}), "mkdir")
            self.root = resp.text.strip()

    def stop(self) -> None:
        super().stop()
        if self.intro is not None:
            procs.stop(self.intro)

    def url(self, path: str) -> str:
        return f"{self.base_url}/uri/{quote(self.root, safe=':')}/{quote(path)}"

    def small_put_template(self, folder: str) -> str:
        return "/uri"

    def mkdir(self, c: httpx.Client, path: str) -> None:
        resp = c.post(self.url(path), params={"t": "mkdir"})
        if resp.status_code >= 300 and resp.status_code != 409:
            raise client.TransferError(f"tahoe mkdir {path}: {resp.status_code} {resp.text[:200]}")

    creates_by_api = None  # one file linked n times: no files-created row

    def populate(self, c: httpx.Client, folder: str, n: int, data: bytes) -> None:
        # One small immutable file, linked n times into an immutable directory in one request.
        cap = client.check(c.put(self.base_url + "/uri", content=data), "put").text.strip()
        children = {f"f{i:05d}.txt": ["filenode", {"ro_uri": cap}] for i in range(n)}
        resp = c.post(
            self.base_url + "/uri",
            params={"t": "mkdir-immutable"},
            content=json.dumps(children).encode(),
        )
        dircap = client.check(resp, "mkdir-immutable").text.strip()
        client.check(c.put(self.url(folder), params={"t": "uri"}, content=dircap), "link")

    def listings(self, folder: str) -> list[Listing]:
        url = self.url(folder)

        def request(c: httpx.Client) -> httpx.Response:
            return client.check(c.get(url, params={"t": "json"}), url)

        def count(resp: httpx.Response) -> int:
            return len(resp.json()[1].get("children", {}))

        return [Listing(self.name, request, count, "GET ?t=json")]
