"""Like BitDust, both listeners refuse peers that are not on this machine, even with the
right API secret (in process: the listeners themselves bind 127.0.0.1)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from podstore.core.service import Core
from podstore.frontends.dialects.bitdust.engine import engine_of
from podstore.frontends.dialects.bitdust.rest import rest_app
from podstore.frontends.dialects.bitdust.ws import ws_app
from podstore.settings import Settings


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Core]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("loopback"), argon2_memory_kib=1024)
    core = Core(settings)
    yield core
    asyncio.run(core.close())


async def _rest(core: Core, client: tuple[str, int]) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=rest_app(core), client=client)
    headers = {"api_secret": engine_of(core).secret}
    async with httpx.AsyncClient(transport=transport, base_url="http://bitdust") as http:
        answer = await http.get("/process/health/v1", headers=headers)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


async def _ws(core: Core, client: tuple[str, int]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "websocket",
        "path": "/",
        "query_string": f"api_secret={engine_of(core).secret}".encode(),
        "headers": [],
        "client": client,
    }

    async def receive() -> dict[str, Any]:
        if not sent:
            return {"type": "websocket.connect"}
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await ws_app(core)(scope, receive, send)
    return sent


@pytest.mark.parametrize("peer", ["10.1.2.3", "192.168.0.10", "::ffff:8.8.8.8", "not-an-ip"])
def test_other_machines_are_refused(core: Core, peer: str) -> None:
    body = asyncio.run(_rest(core, (peer, 5000)))
    assert (body["status"], body["errors"]) == ("ERROR", ["access denied"])
    assert asyncio.run(_ws(core, (peer, 5000)))[0]["type"] == "websocket.close"


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1"])
def test_this_machine_is_served(core: Core, peer: str) -> None:
    assert asyncio.run(_rest(core, (peer, 5000)))["status"] == "OK"
    assert asyncio.run(_ws(core, (peer, 5000)))[0]["type"] == "websocket.accept"


def test_the_secret_file_is_private(core: Core) -> None:
    secret = Path(core.settings.data_dir) / "bitdust" / "apisecret"
    assert secret.read_text().strip() == engine_of(core).secret
    assert secret.stat().st_mode & 0o077 == 0
