"""A small httpx client of the native API, honouring PODSTORE_URL and PODSTORE_TOKEN."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

DEFAULT_URL = "http://127.0.0.1:9090"
# a node behind a load balancer that went away mid-request, or a store briefly down: worth
# sending again (after 0.5, 1, 2, 4 and 8 s) when sending twice does no harm. A refused
# connection is not: the server (or the balancer) itself is down, and the user hears it now.
RETRY_STATUSES = frozenset({502, 503, 504})
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


def dropped(exc: httpx.TransportError) -> bool:
    """The connection failed mid-request (worth another try), not on connecting."""
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)


class ApiError(Exception):
    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(f"{status} {title}: {detail}" if detail != title else f"{status} {title}")
        self.status = status


def session_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "podstore" / "session.json"


def load_session() -> dict[str, str]:
    try:
        data = json.loads(session_file().read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save_session(url: str, token: str | None) -> None:
    path = session_file()
    if token is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"url": url, "token": token}, out)


def pod_path(target: str) -> tuple[str, str]:
    """'pod/dir/file' -> ('pod', 'dir/file')."""
    pod, _, path = target.strip("/").partition("/")
    if not pod:
        raise ValueError("name a pod: POD or POD/PATH")
    return pod, path


def q(path: str) -> str:
    return quote(path, safe="/")


class Client:
    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        saved = load_session()
        self.url = (
            url or os.environ.get("PODSTORE_URL") or saved.get("url") or DEFAULT_URL
        ).rstrip("/")
        self.token = token or os.environ.get("PODSTORE_TOKEN") or saved.get("token")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.http = httpx.Client(
            base_url=self.url + "/api/v1",
            headers=headers,
            timeout=httpx.Timeout(60.0, read=600.0),
            # TLS only for an https server: loading the CA bundle costs every command ~60 ms,
            # and requests never leave the base URL (redirects are not followed)
            verify=self.url.startswith("https:"),
        )

    def close(self) -> None:
        self.http.close()

    @staticmethod
    def check(response: httpx.Response) -> httpx.Response:
        if response.status_code >= 400:
            try:
                body = response.json()
                raise ApiError(response.status_code, body.get("title", ""), body.get("detail", ""))
            except ValueError:
                raise ApiError(
                    response.status_code, response.reason_phrase, response.text[:200]
                ) from None
        return response

    def call(self, method: str, path: str, *, idempotent: bool | None = None, **kwargs: Any) -> Any:
        """One request, answered as JSON. An idempotent one (by its method, unless told) is
        sent again on a dropped connection or a 502, 503 or 504."""
        retry = method in IDEMPOTENT if idempotent is None else idempotent
        for delay in (*RETRY_DELAYS, None) if retry else (None,):
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                if delay is None or not dropped(exc):
                    raise
            else:
                if delay is None or response.status_code not in RETRY_STATUSES:
                    break
            time.sleep(delay)
        self.check(response)
        return response.json() if response.content else None

    def list_all(self, pod: str, path: str) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            page = self.call("GET", f"/pods/{q(pod)}/list/{q(path)}", params=params)
            yield from page["entries"]
            cursor = page.get("next")
            if not cursor:
                return

    def upload(self, pod: str, path: str, body: Iterator[bytes], size: int) -> Any:
        return self.call(
            "PUT",
            f"/pods/{q(pod)}/files/{q(path)}",
            idempotent=False,  # the body is read as it goes: it cannot be sent twice
            content=body,
            headers={"Content-Length": str(size)},
        )

    def download(self, pod: str, path: str) -> Any:
        return self.http.stream("GET", f"/pods/{q(pod)}/files/{q(path)}")
