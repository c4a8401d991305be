"""Every front end the contract suite runs through: add an adapter, add it here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.adapters.native import NativeFrontEnd
from tests.contract.adapters.webdav import WebDavFrontEnd
from tests.contract.frontend import FrontEnd
from tests.fixtures.server import Server

# each adapter takes the running server; its sessions are its own Session type
ADAPTERS: dict[str, Callable[[Server], Any]] = {"native": NativeFrontEnd, "webdav": WebDavFrontEnd}


@pytest.fixture(scope="module", params=sorted(ADAPTERS))
def front_end(request: pytest.FixtureRequest, server: Server) -> FrontEnd:
    front: FrontEnd = ADAPTERS[request.param](server)
    return front


def needs(front_end: FrontEnd, capability: str) -> None:
    if capability not in front_end.capabilities:
        pytest.skip(f"the {front_end.name} front end has no {capability}")
