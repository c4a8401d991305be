"""AntOS's router: `/<controller>/<action>/<args…>`, each action a function of one `Call`.

Actions register with `@action(controller, name, …messages)`; an unknown action answers the
controller's index, as AntOS does. The session comes from the `sessionid` cookie (unless it
is "0"), else `?sessionid=`, else `?access_token=`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from podstore.core.context import Actor
from podstore.core.errors import Unauthenticated
from podstore.core.service import Core
from podstore.frontends.dialects.antos.errors import UNKNOWN_REQUEST, AntosError, Messages, ok
from podstore.frontends.http.bodies import read_body
from podstore.settings import AntosSettings

if TYPE_CHECKING:
    from podstore.frontends.dialects.antos.volumes import Volumes

COOKIE = "sessionid"


@dataclass
class Call:
    """One request to an action: `args` is the path after `/<controller>/<action>/`."""

    request: Request
    core: Core
    volumes: Volumes
    args: str
    subject: str = ""  # the VFS path the action works on, for its messages
    _actor: Actor | None = field(default=None, repr=False)

    @property
    def settings(self) -> AntosSettings:
        return self.core.settings.frontends.antos

    def session_token(self) -> str | None:
        cookie = self.request.cookies.get(COOKIE)
        query = self.request.query_params
        signed_out = "0"  # what logout leaves in the cookie
        for token in (cookie, query.get("sessionid"), query.get("access_token")):
            if token and token != signed_out:
                return token
        return None

    def sign_in(self, actor: Actor) -> None:
        self._actor = actor

    async def actor(self) -> Actor:
        if self._actor is None:
            token = self.session_token()
            if token is None:
                raise Unauthenticated()
            self._actor = await self.core.accounts.authenticate(token)
        return self._actor

    async def json(self, limit: int | None = None) -> dict[str, Any]:
        """The JSON object the client posted (AntOS always posts one)."""
        raw = await read_body(self.request, limit or self.core.settings.max_json_body)
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (ValueError, RecursionError):
            raise AntosError(UNKNOWN_REQUEST) from None
        if not isinstance(body, dict):
            raise AntosError(UNKNOWN_REQUEST)
        return body

    async def text(self, key: str, body: dict[str, Any] | None = None) -> str:
        """A string field of the posted object."""
        value = (body if body is not None else await self.json()).get(key)
        if not isinstance(value, str):
            raise AntosError(UNKNOWN_REQUEST)
        return value


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Action:
    handler: Handler
    messages: Messages


ACTIONS: dict[tuple[str, str], Action] = {}
INDEX: dict[str, tuple[str, dict[str, str]]] = {}


def action(
    controller: str,
    name: str,
    *,
    not_found: str = Messages.not_found,
    denied: str = Messages.denied,
    bad_path: str = Messages.bad_path,
    invalid: str | None = None,
) -> Callable[[Handler], Handler]:
    """Register `handler` as `/<controller>/<name>`, with the messages of its failures."""
    messages = Messages(not_found, denied, bad_path, invalid)

    def register(handler: Handler) -> Handler:
        ACTIONS[(controller, name)] = Action(handler, messages)
        return handler

    return register


def controller(name: str, description: str, actions: dict[str, str]) -> None:
    INDEX[name] = (description, actions)


def index(name: str) -> Response:
    description, actions = INDEX[name]
    return ok({"description": description, "actions": actions})
