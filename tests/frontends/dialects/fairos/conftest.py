"""One podstore per database for all the FairOS tests (they keep apart by their own users),
with the canonical-case `fairos` listener on (fairos-py-sdk needs it) beside the main one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.fixtures.ports import free_port
from tests.fixtures.server import Server, server_env


@dataclass
class FairosServer:
    server: Server
    fairos_port: int

    @property
    def url(self) -> str:
        """The main listener, where FairOS's routes are mounted."""
        return self.server.url

    @property
    def canonical_url(self) -> str:
        """The `fairos` listener: FairOS's routes with Go's header case."""
        return f"http://127.0.0.1:{self.fairos_port}"


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def fairos(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FairosServer]:
    database_url = None
    if request.param == "postgres":
        database_url = request.getfixturevalue("postgres").new_database()
    root = tmp_path_factory.mktemp("fairos")
    port = free_port()
    env = server_env(
        root / "data",
        database_url,
        PODSTORE_LISTENERS__FAIROS__ENABLED="true",
        PODSTORE_LISTENERS__FAIROS__PORT=str(port),
        PODSTORE_FRONTENDS__FAIROS__CORS_ORIGINS='["http://app.example"]',
    )
    srv = Server(root / "data", env)
    srv.start()
    try:
        yield FairosServer(srv, port)
    finally:
        srv.stop()
