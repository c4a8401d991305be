"""One process, one Core, every enabled listener: granian's embedded servers on one loop.

granian binds one address per server, so each listener is an embedded `Server` of its own,
all on this process's event loop and all calling into the same Core (one SQLite writer).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.server.embed import Server

from podstore.core.service import Core
from podstore.frontends.http.observe import REGISTRY, StorageUsedCollector
from podstore.server.apps import CANONICAL_CASE, FIRST_WORKER_ONLY, app_factory
from podstore.server.canonical_http import CanonicalHttpServer
from podstore.settings import ListenerSettings, Settings

log = logging.getLogger("podstore.server")


def enabled_listeners(settings: Settings) -> dict[str, ListenerSettings]:
    """The main listener and every enabled extra one; refuses two on one address."""
    main = ListenerSettings(app="main", host=settings.host, port=settings.port)
    found = {"main": main} | {n: lst for n, lst in settings.listeners.items() if lst.enabled}
    seen: dict[tuple[str, int], str] = {}
    for name, listener in found.items():
        address = (listener.host, listener.port)
        if address in seen:
            raise ValueError(
                f"listeners {seen[address]} and {name} both ask for {listener.host}:{listener.port}"
            )
        seen[address] = name
        app_factory(listener.app)
    return found


@asynccontextmanager
async def running_core(settings: Settings) -> AsyncIterator[Core]:
    """The process's one Core, counted in /metrics while it runs."""
    core = Core(settings)
    collector = StorageUsedCollector(core.storage_used, core.writer_hold_seconds)
    REGISTRY.register(collector)  # type: ignore[arg-type]
    try:
        await core.start()
        yield core
    finally:
        REGISTRY.unregister(collector)  # type: ignore[arg-type]
        await core.close()


class _QuietEmbedWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "Embedded server is experimental" not in record.getMessage()


def settle_heap() -> None:
    """Take what startup built (modules, apps, routes: some 200,000 objects) out of the
    cyclic collector's sight, so that a full collection walks only what requests allocate.

    Without it a 10,000-entry listing, whose entries outlive the young generations, set off
    a full collection every few requests that took ~100 ms, all of it spent on startup's
    objects (nothing was collected).
    """
    gc.collect()
    gc.freeze()


def _stop(servers: list[Server | CanonicalHttpServer]) -> None:
    for server in servers:
        server.stop()  # type: ignore[no-untyped-call]


def _server(core: Core, listener: ListenerSettings) -> Server | CanonicalHttpServer:
    settings = core.settings
    app = app_factory(listener.app)(core, listener)
    if listener.app in CANONICAL_CASE:
        return CanonicalHttpServer(
            app,
            listener.host,
            listener.port,
            settings.header_read_timeout_seconds,
            settings.body_idle_timeout_seconds,
        )
    return Server(
        app,
        address=listener.host,
        port=listener.port,
        interface=Interfaces.ASGI,
        log_access=False,
        websockets=True,
        http1_settings=HTTP1Settings(
            header_read_timeout=round(settings.header_read_timeout_seconds * 1000)
        ),
    )


async def serve(settings: Settings, first: bool = True) -> None:
    """Serve every enabled listener until SIGTERM or SIGINT, or until one of them fails;
    a worker other than the `first` leaves out the apps that keep state in the process."""
    listeners = {
        name: listener
        for name, listener in enabled_listeners(settings).items()
        if first or listener.app not in FIRST_WORKER_ONLY
    }
    logging.getLogger("_granian").addFilter(_QuietEmbedWarning())
    async with running_core(settings) as core:
        servers = [_server(core, listener) for listener in listeners.values()]
        settle_heap()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _stop, servers)
        tasks = [asyncio.create_task(server.serve()) for server in servers]
        log.info(
            "podstore ready",
            extra={"fields": {n: f"{lst.host}:{lst.port}" for n, lst in listeners.items()}},
        )
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        _stop(servers)
        for result in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(result, BaseException):
                raise result
