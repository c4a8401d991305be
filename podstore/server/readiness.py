"""`/readyz`: can this node serve? Its database and its blob store answer within a moment.

`/healthz` (the native app's) says only that the process is alive, so a supervisor restarts
a node that hangs; `/readyz` is what a load balancer checks to stop sending requests to a
node that cannot serve them, and to send them again once it can. Each check runs in a
daemon thread of its own, at most one of each kind at a time: a store that hangs costs one
blocked thread (which does not hold up the process's exit), not one per probe, and every
probe in the meantime answers 503 at the timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

import sqlalchemy as sa
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from podstore.core.service import Core

PATH = "/readyz"
TIMEOUT = 2.0  # seconds; a load balancer's check timeout must be longer
RETRY_AFTER = "5"
PROBE_BLOB = "readyz-probe"  # never written: asking whether it exists is the round trip


class Readiness:
    """ASGI wrapper that answers `/readyz` itself and hands every other request to `app`."""

    def __init__(self, app: ASGIApp, core: Core, timeout: float = TIMEOUT) -> None:
        self.app = app
        self.timeout = timeout
        db, blobs = core.ctx.db, core.ctx.blobs
        self.checks: dict[str, Callable[[], object]] = {
            "database": lambda: db.read_sync(lambda c: c.execute(sa.select(1)).scalar()),
            "store": lambda: blobs.exists(PROBE_BLOB),
        }
        self._running: dict[str, asyncio.Future[object]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH:
            await (await self.response())(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def response(self) -> JSONResponse:
        names = list(self.checks)
        results = await asyncio.gather(*(self._check(name) for name in names))
        found = dict(zip(names, results, strict=True))
        if all(result == "ok" for result in results):
            return JSONResponse({"status": "ready", **found})
        headers = {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
        return JSONResponse({"status": "unavailable", **found}, 503, headers=headers)

    async def _check(self, name: str) -> str:
        running = self._running.get(name)
        if running is None or running.done():
            running = self._running[name] = _in_thread(self.checks[name], name)
        try:
            await asyncio.wait_for(asyncio.shield(running), self.timeout)
        except TimeoutError:
            return f"no answer within {self.timeout:g} s"
        except Exception as exc:
            return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        return "ok"


def _in_thread(check: Callable[[], object], name: str) -> asyncio.Future[object]:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[object] = loop.create_future()

    def settle(result: object, error: BaseException | None) -> None:
        if future.done():
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    def run() -> None:
        result: object = None
        error: BaseException | None = None
        try:
            result = check()
        except Exception as exc:
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop closed while the check hung
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name=f"readyz-{name}", daemon=True).start()
    return future
