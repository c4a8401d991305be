"""Raw HTTP/1.1 over a socket, for requests no well-behaved client sends."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

from tests.fixtures.server import Server


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def problem(self) -> dict[str, Any]:
        assert self.headers["content-type"] == "application/problem+json", self
        data: dict[str, Any] = json.loads(self.body)
        assert data["status"] == self.status
        return data


def request_head(method: str, target: str, token: str | None = None, **headers: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: podstore"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while piece := sock.recv(65536):
        data += piece
    return data


def parse(data: bytes) -> Answer:
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
    return Answer(int(status_line.split(" ")[1]), headers, body)


def exchange(server: Server, head: bytes, body: bytes = b"", timeout: float = 30) -> Answer:
    """Send `head` and `body` (which may be only part of the declared one) and read the
    answer; the server must then close the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(head + body)
        return parse(read_all(sock))


def read_answer(sock: socket.socket) -> bytes:
    """One answer: its head and a body of the length it declares (the connection may stay)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            return data
        data += piece
    length = int(parse(data).headers.get("content-length", "0"))
    while len(data.partition(b"\r\n\r\n")[2]) < length and (piece := sock.recv(65536)):
        data += piece
    return data


def first_answer(server: Server, head: bytes, body: bytes = b"", timeout: float = 30) -> Answer:
    """Send `head` and part of a body; the server's answer, without waiting for it to close."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(head + body)
        return parse(read_answer(sock))
