"""Following a PostgreSQL NOTIFY channel from every node, on one connection of its own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import sqlalchemy as sa

log = logging.getLogger("podstore.notify")


async def follow(
    url: str, channel: str, on_note: Callable[[str], None], on_connect: Callable[[], None]
) -> None:
    """LISTEN on `channel` for ever, calling `on_note` with each payload.

    `on_connect` runs each time the LISTEN is (re)established: notifications sent while no
    connection listened are lost, so it catches up on whatever may have been missed. A lost
    connection is retried with backoff until the task is cancelled.
    """
    import psycopg

    conninfo = sa.engine.make_url(url).set(drivername="postgresql")
    dsn = conninfo.render_as_string(hide_password=False)
    backoff = 0.5
    while True:
        try:
            conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
            async with conn:
                await conn.execute(f"LISTEN {channel}")
                backoff = 0.5
                on_connect()
                async for note in conn.notifies():
                    on_note(note.payload)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database went away: retry
            log.warning("the %s listener lost its connection: %s", channel, exc)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, 10.0)
