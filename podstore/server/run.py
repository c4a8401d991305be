"""Run the ASGI app on granian with the settings from the environment."""

from __future__ import annotations

from granian import Granian
from granian.constants import Interfaces, Loops
from granian.http import HTTP1Settings

from podstore.core.service import migrate_database
from podstore.settings import Settings


def run() -> None:
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # once, before the workers start: each worker's own check then finds nothing to do
    migrate_database(settings.effective_database_url)
    print(f"podstore serving {settings.base_url}  (data in {settings.data_dir})", flush=True)
    Granian(
        "podstore.frontends.native.app:create_app",
        factory=True,
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=settings.workers,
        loop=Loops.auto,
        log_access=False,
        websockets=True,
        http1_settings=HTTP1Settings(
            header_read_timeout=round(settings.header_read_timeout_seconds * 1000)
        ),
    ).serve()
