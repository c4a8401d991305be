"""One real server for the wire tests of `frontends/http`, with short limits so that idle
and oversized requests are refused quickly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.server import Server, User, server_env

IDLE_SECONDS = 2
JSON_LIMIT = 64 * 1024


@pytest.fixture(scope="package")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("strict")
    env = server_env(
        root / "data",
        None,
        PODSTORE_BODY_IDLE_TIMEOUT_SECONDS=str(IDLE_SECONDS),
        PODSTORE_HEADER_READ_TIMEOUT_SECONDS=str(IDLE_SECONDS),
        PODSTORE_MAX_JSON_BODY=str(JSON_LIMIT),
    )
    server = Server(root / "data", env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def strict_user(strict_server: Server) -> Iterator[User]:
    """A fresh user of `strict_server` who owns a pod named 'home'."""
    client = strict_server.new_user(pod="home")
    try:
        yield client
    finally:
        client.close()
