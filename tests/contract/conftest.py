"""Every front end the contract suite runs through: add an adapter, add it here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.contract.adapters import hasura
from tests.contract.adapters.antos import AntosFrontEnd
from tests.contract.adapters.bitdust import BitDustFrontEnd
from tests.contract.adapters.fairos import FairosFrontEnd
from tests.contract.adapters.fileago import FileAgoFrontEnd
from tests.contract.adapters.native import NativeFrontEnd
from tests.contract.adapters.web import WebFrontEnd
from tests.contract.adapters.webdav import WebDavFrontEnd
from tests.contract.frontend import FrontEnd
from tests.fixtures.server import Server, running_server

# each adapter takes the running server; its sessions are its own Session type
ADAPTERS: dict[str, Callable[[Server], Any]] = {
    "native": NativeFrontEnd,
    "fileago": FileAgoFrontEnd,
    "hasura": hasura.HasuraFrontEnd,
    "antos": AntosFrontEnd,
    "web": WebFrontEnd,
    "bitdust": BitDustFrontEnd,
    "fairos": FairosFrontEnd,
    "webdav": WebDavFrontEnd,
}
# front ends on listeners of their own, and the settings their adapters need
LISTENERS = ("hasura", "bitdust_ws")
SERVER_ENV = {**hasura.ENV}


# The native API runs the suite on both databases; the other front ends translate into the
# same core calls, whose checks do not depend on the database, so they run it on SQLite
# (each front end's own tests cover it on PostgreSQL).
BOTH_DATABASES = {"native"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        one_database = "front_end" in params and params["front_end"] not in BOTH_DATABASES
        (dropped if one_database and params.get("database_url") == "postgres" else kept).append(
            item
        )
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="module")
def server(database_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("contract")
    with running_server(root, database_url, LISTENERS, **SERVER_ENV) as srv:
        yield srv


@pytest.fixture(scope="module", params=sorted(ADAPTERS))
def front_end(request: pytest.FixtureRequest, server: Server) -> FrontEnd:
    front: FrontEnd = ADAPTERS[request.param](server)
    return front


def needs(front_end: FrontEnd, capability: str) -> None:
    if capability not in front_end.capabilities:
        pytest.skip(f"the {front_end.name} front end has no {capability}")
