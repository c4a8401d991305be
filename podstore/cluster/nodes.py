"""podstore nodes: `podstore serve` processes of one cluster, on one database and one store."""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from pathlib import Path

import httpx

from podstore.cluster.procs import Child


class Node:
    def __init__(self, name: str, workdir: Path, port: int, env: dict[str, str]) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        data = workdir / name
        data.mkdir(parents=True, exist_ok=True)
        args = [sys.executable, "-m", "podstore", "serve", "--host", "127.0.0.1"]
        args += ["--port", str(port), "--data", str(data)]
        self.child = Child(args, workdir / f"{name}.log", env=env)

    def start(self) -> None:
        self.child.start()

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until `/readyz` answers 200; raises with the node's log if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.child.running:
                break
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + "/readyz", timeout=3).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"node {self.name} did not become ready:\n{self.child.log()}")

    def stop(self) -> None:
        self.child.stop(signal.SIGTERM)

    def kill(self) -> None:
        self.child.stop(signal.SIGKILL)
