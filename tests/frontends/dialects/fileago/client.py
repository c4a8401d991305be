"""FileAgo's clients for the tests: curl exactly as the seed's examples run it, and a small
httpx client that speaks as the Android app does (Bearer JWT, trailing slashes)."""

from __future__ import annotations

import json
import subprocess
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.fixtures.server import PASSWORD, Server, User


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def curl(*args: str) -> Answer:
    """Run curl with the seed's arguments; the status comes from `-w`."""
    done = subprocess.run(
        ["curl", "-sS", "--max-time", "60", "-w", "\n%{http_code}", *args],
        capture_output=True,
        check=True,
        timeout=90,
    )
    body, _, status = done.stdout.rpartition(b"\n")
    return Answer(int(status), body)


def with_email(server: Server, prefix: str, pod: str | None = "home") -> tuple[User, str]:
    """A new podstore user with an e-mail address, as FileAgo users log in by it."""
    user = server.new_user(prefix, pod=pod)
    email = f"{user.name}@example.org"
    assert user.patch("/me", json={"email": email}).status_code == 200
    return user, email


class FileAgo(httpx.Client):
    """Logged in through `/auth` by e-mail; `uuid`, `key` (fileaccesskey) from the answer."""

    def __init__(self, server: Server, email: str, password: str = PASSWORD) -> None:
        super().__init__(base_url=server.url, timeout=60)
        answer = self.post("/auth/", json={"username": email, "password": password})
        assert answer.status_code == 200, answer.text
        self.login = answer.json()
        self.uuid: str = self.login["uuid"]
        self.key: str = self.login["fileaccesskey"]
        self.headers["Authorization"] = "Bearer " + self.login["token"]

    def ok(self, method: str, url: str, **kwargs: Any) -> Any:
        answer = self.request(method, url, **kwargs)
        assert answer.status_code in (200, 204), (answer.status_code, answer.text)
        return answer.json() if answer.status_code == 200 else None

    def dirlist(self, ref: str = "home") -> dict[str, dict[str, Any]]:
        data = self.ok("GET", f"/api/nodes/{ref}/dirlist/")["data"]
        return {entry["name"]: entry for entry in data}

    def act(self, ref: str, **params: Any) -> httpx.Response:
        return self.post(f"/api/nodes/{ref}", json=params)

    def upload(self, ref: str, name: str, data: bytes) -> httpx.Response:
        token = self.ok("GET", f"/api/nodes/{ref}/upload")["token"]
        return httpx.post(
            f"{self.base_url}/upload/{token}", files={"file": (name, data)}, timeout=60
        )

    def download(self, node: str, revision: str = "999999999999999") -> httpx.Response:
        return self.get(f"/resources/auth/download/{self.key}/{node}/{revision}/file.bin")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
