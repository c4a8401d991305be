"""The WebDAV ASGI app: Basic authentication, then one handler per method; every error
becomes a WebDAV answer (`errors.py`), never a 500 for a client's mistake."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from podstore.core.context import Actor
from podstore.core.errors import Unauthenticated
from podstore.core.service import Core
from podstore.frontends.webdav import errors, locking, reading, writing
from podstore.frontends.webdav.call import Call, location_of

log = logging.getLogger("podstore.webdav")
Handler = Callable[[Call], Awaitable[Response]]
HANDLERS: dict[str, Handler] = {
    "PROPFIND": reading.propfind,
    "GET": reading.get,
    "HEAD": lambda call: reading.get(call, head=True),
    "PUT": writing.put,
    "DELETE": writing.delete,
    "MKCOL": writing.mkcol,
    "COPY": writing.copy_or_move,
    "MOVE": writing.copy_or_move,
    "PROPPATCH": writing.proppatch,
    "LOCK": locking.lock,
    "UNLOCK": locking.unlock,
}
MAX_CREDENTIALS = 4096


def credentials(request: Request) -> tuple[str, str]:
    """The name and password of a Basic Authorization header (Unauthenticated without)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip() or len(value) > MAX_CREDENTIALS:
        raise Unauthenticated("sign in with your user name and password or an app password")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("the Basic credentials are malformed") from None
    name, sep, password = decoded.partition(":")
    if not sep:
        raise Unauthenticated("the Basic credentials are malformed")
    return name, password


class WebDavApp:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def authenticate(self, request: Request) -> Actor:
        name, password = credentials(request)
        client = request.client.host if request.client else None
        return await self.core.app_passwords.basic(name, password, client)

    async def handle(self, request: Request) -> Response:
        pod: str | None = None
        try:
            if request.method == "OPTIONS":
                return reading.options()
            handler = HANDLERS.get(request.method)
            if handler is None:
                return errors.plain(405, "not a WebDAV method", {"Allow": reading.METHODS})
            actor = await self.authenticate(request)
            loc = location_of(request)
            pod = loc.pod
            return await handler(Call(self.core, request, actor, loc))
        except Exception as exc:
            answer = errors.answer(exc, pod)
            if answer is None:
                log.exception("WebDAV %s %s failed", request.method, request.url.path)
                raise
            return answer
