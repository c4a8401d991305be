"""haproxy (Debian's `haproxy`) in front of the nodes: checks `/readyz`, retries, redispatch."""

from __future__ import annotations

import csv
import shutil
import signal
import socket
from pathlib import Path

from podstore.cluster.procs import Child, wait_for_port

CONFIG = """\
global
    maxconn 4096
    stats socket {socket} mode 600 level user

defaults
    mode http
    option http-server-close
    timeout connect 2s
    timeout client 5m
    timeout server 5m
    timeout tunnel 1h
    timeout check 3s
    # a connection refused by a node that went down is tried again, on another node
    retries 3
    option redispatch 1
    # no node ready (a database or store outage): 503 with Retry-After, as a node answers
    http-error status 503 content-type application/problem+json hdr Retry-After 5 \
        string '{{"title": "Service Unavailable", "status": 503, "detail": "no node is ready"}}'

frontend podstore
    bind {host}:{port}
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter 1s fastinter 250ms downinter 500ms fall 2 rise 2
{servers}
"""


def config_text(host: str, port: int, nodes: dict[str, int], stats_socket: Path) -> str:
    servers = "\n".join(f"    server {name} 127.0.0.1:{p}" for name, p in nodes.items())
    return CONFIG.format(host=host, port=port, servers=servers, socket=stats_socket)


class Haproxy:
    def __init__(self, workdir: Path, port: int, nodes: dict[str, int], host: str = "127.0.0.1"):
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(binary).exists():
            raise RuntimeError("haproxy is not installed (apt-get install haproxy)")
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / "haproxy.cfg"
        self.stats_socket = workdir / "haproxy.sock"
        config.write_text(config_text(host, port, nodes, self.stats_socket))
        self.port = port
        self.url = f"http://{host}:{port}"
        self.child = Child([binary, "-f", str(config), "-db"], workdir / "haproxy.log")

    def start(self) -> None:
        self.child.start()
        try:
            wait_for_port(self.port, timeout=10)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"haproxy did not start:\n{self.child.log()}") from None

    def active_requests(self) -> dict[str, int]:
        """Requests each node is serving now (haproxy's `scur`; health checks not counted)."""
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(5)
            conn.connect(str(self.stats_socket))
            conn.sendall(b"show stat\n")
            answer = b"".join(iter(lambda: conn.recv(65536), b"")).decode()
        rows = csv.DictReader(answer.lstrip("# ").splitlines())
        return {
            row["svname"]: int(row["scur"] or 0)
            for row in rows
            if row["pxname"] == "nodes" and row["svname"] not in ("FRONTEND", "BACKEND")
        }

    def stop(self) -> None:
        self.child.stop(signal.SIGTERM, grace=5)
