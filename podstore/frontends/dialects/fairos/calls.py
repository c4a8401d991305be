"""One FairOS request: its fields in whichever generation's spelling it uses, its user (the
`fairOS-dfs` cookie or a Bearer JWT), and the error envelope around its handler."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from podstore.core.context import Actor
from podstore.core.errors import UNAVAILABLE, CoreError, Invalid, Unauthenticated
from podstore.core.service import Core
from podstore.frontends.dialects.fairos.envelope import UNSAID, V08, Generation
from podstore.frontends.dialects.fairos.errors import FairError, error_response, missing
from podstore.frontends.http.bodies import body_of, read_body
from podstore.frontends.http.multipart import stream_parts

COOKIE = "fairOS-dfs"
JSON_ONLY = "application/json"
NO_COOKIE = "cookie: invalid cookie: http: named cookie not present"
_UPPER = re.compile(r"([A-Z])")


def snake(camel: str) -> str:
    return _UPPER.sub(r"_\1", camel).lower()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def access_token(session_token: str, expires_at: float) -> str:
    """FairOS's `accessToken`: an HS256 JWT `{sessionId, exp, iss: "dfs"}`. Its session id is
    podstore's session token, and it is signed with a key derived from that token, so it is
    as strong as the token and needs no server secret shared between nodes."""
    header = _b64(b'{"alg":"HS256","typ":"JWT"}')
    claims = {"sessionId": session_token, "exp": int(expires_at), "iss": "dfs"}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    key = hashlib.sha256(b"fairos jwt " + session_token.encode()).digest()
    signature = hmac.digest(key, f"{header}.{body}".encode(), hashlib.sha256)
    return f"{header}.{body}.{_b64(signature)}"


def session_of_jwt(token: str) -> str | None:
    try:
        header, body, signature = token.split(".")
        claims = json.loads(_unb64(body))
        session = claims["sessionId"]
        key = hashlib.sha256(b"fairos jwt " + session.encode()).digest()
        expected = hmac.digest(key, f"{header}.{body}".encode(), hashlib.sha256)
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        return None
    return session if hmac.compare_digest(expected, _unb64(signature)) else None


def generation_of(path: str, keys: set[str]) -> Generation:
    if path.startswith("/v0/"):
        return Generation("v0")
    if path.startswith("/v2/"):
        return Generation("camel")
    if any("_" in key for key in keys):
        return V08
    if any(key != key.lower() for key in keys):
        return Generation("camel")
    return UNSAID


class Call:
    """What a handler reads from its request."""

    def __init__(self, request: Request, op: str) -> None:
        self.request = request
        self.op = op
        self.core: Core = request.app.state.core
        self.fields: dict[str, Any] = dict(request.query_params)
        self.generation = generation_of(request.url.path, set(self.fields))
        self._actor: Actor | None = None
        self.state: dict[str, Any] | None = None  # the session's open things (session.py)

    async def load(self, body: str) -> None:
        """Read the body: "json" (Content-Type exactly application/json), "form" (multipart
        or urlencoded), "any" (JSON or a form, if there is one) or "none"."""
        kind = self.request.headers.get("content-type", "")
        base = kind.split(";")[0].strip().lower()
        if body == "json" and self.generation.name != "v0":
            if kind != JSON_ONLY:
                raise FairError(400, "invalid request body type")
            await self._json()
        elif body in ("form", "any", "json") and base == "multipart/form-data":
            raw = await read_body(self.request, self.core.settings.max_json_body)
            fields, _ = await stream_parts(_once(raw), kind, _refuse_files)
            self.merge(fields)
        elif body in ("form", "any", "json") and base == "application/x-www-form-urlencoded":
            self.merge(dict((await self.request.form()).items()))  # bounded by RequestLimits
        elif body == "any" and base == JSON_ONLY:
            await self._json()

    def merge(self, fields: dict[str, Any]) -> None:
        """Take more fields (and what generation their names say)."""
        self.fields.update(fields)
        self.generation = generation_of(self.request.url.path, set(self.fields))

    async def _json(self) -> None:
        raw = await read_body(self.request, self.core.settings.max_json_body)
        if not raw.strip():
            return
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeError):
            raise FairError(400, "could not decode arguments") from None
        if not isinstance(data, dict):
            raise FairError(400, "could not decode arguments")
        self.merge(data)

    def name_of(self, camel: str, v0: str | None) -> str:
        if self.generation.name == "v0" and v0:
            return v0
        return camel if self.generation.camel else snake(camel)

    def raw(self, camel: str, v0: str | None = None) -> Any:
        for name in (camel, snake(camel), v0):
            if name and name in self.fields:
                return self.fields[name]
        return None

    def get(self, camel: str, v0: str | None = None, default: str | None = None) -> str:
        """A string field; missing or empty: `"<name>" argument missing` unless `default`."""
        value = self.raw(camel, v0)
        if value is None or value == "":
            if default is not None:
                return default
            raise missing(self.name_of(camel, v0))
        if not isinstance(value, str):
            raise FairError(400, "could not decode arguments")
        return value

    def flag(self, camel: str, default: bool) -> bool:
        value = self.raw(camel)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise FairError(400, "could not decode arguments")

    async def form_file(self, limit: int) -> bytes:
        """The one file of a multipart form, read whole (at most `limit` bytes); the form's
        other fields join `fields`."""
        pieces: list[bytes] = []
        form: dict[str, str] = {}

        async def keep(_field: str, _name: str | None, data: Any) -> None:
            size = 0
            async for piece in data:
                size += len(piece)
                if size > limit:
                    raise FairError(400, f"a file here has at most {limit} bytes")
                pieces.append(piece)

        kind = self.request.headers.get("content-type", "")
        try:
            await stream_parts(body_of(self.request), kind, keep, form)
        except Invalid as exc:
            raise FairError(400, exc.detail) from None
        self.merge(form)
        return b"".join(pieces)

    async def actor(self) -> Actor:
        if self._actor is None:
            self._actor = await authenticate(self.request, self.core)
        return self._actor


async def authenticate(request: Request, core: Core) -> Actor:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        token = session_of_jwt(value.strip())
        failure = "jwt: invalid token"
    else:
        token = request.cookies.get(COOKIE)
        failure = "cookie: user not logged-in"
        if not token:
            raise FairError(401, NO_COOKIE, bare=True)
    if token is None:
        raise FairError(401, failure, bare=True)
    try:
        return await core.accounts.authenticate(token)
    except (Unauthenticated, Invalid):
        raise FairError(401, failure, bare=True) from None


async def _once(data: bytes) -> Any:
    yield data


async def _refuse_files(field: str, _name: str | None, data: Any) -> None:
    async for _ in data:
        pass
    raise FairError(400, f"unexpected file in {field!r}")


Handler = Callable[[Call], Awaitable[Response]]


def endpoint(
    op: str, handler: Handler, body: str = "json", not_found: str | None = None
) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        call = Call(request, op)
        try:
            await call.load(body)
            return await handler(call)
        except Exception as exc:
            if not isinstance(exc, (FairError, CoreError, *UNAVAILABLE)):
                raise
            in_group = bool(call.raw("groupName"))
            return error_response(op, exc, call.generation, not_found, in_group=in_group)

    return run
