"""A real server with the Hasura listener on, and clients of it signed in as users."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx

from tests.fixtures.server import Server, User

CREATED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")
METADATA_KEYS = {
    "file_id",
    "content_type",
    "file_status",
    "file_size",
    "user_id",
    "user_role",
    "created_at",
}


@dataclass
class Account:
    native: User  # the same user on the native API
    files: httpx.Client  # on the Hasura listener, with the user's Bearer token


def hasura_client(server: Server, token: str | None = None, **headers: str) -> httpx.Client:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=server.listener_url("hasura"), headers=headers, timeout=30)


def account(server: Server, name: str = "") -> Account:
    """A new user (named `name`, or a fresh name) on both APIs."""
    native = server.new_user("hasura", name=name)
    return Account(native, hasura_client(server, native.token))


def new_id() -> str:
    return str(uuid.uuid4())


def check_metadata(body: dict[str, object]) -> None:
    assert set(body) >= METADATA_KEYS
    assert body["file_status"] == "uploaded"
    assert isinstance(body["file_size"], int) and isinstance(body["user_id"], int)
    assert CREATED_AT.fullmatch(str(body["created_at"])), body["created_at"]
