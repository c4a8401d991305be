"""The API methods by name, and what each call sees: the core, the engine, who calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from podstore.core.errors import Conflict, NotFound
from podstore.core.records import KeyInfo
from podstore.core.service import Core
from podstore.frontends.dialects.bitdust.engine import Caller, Engine
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, error
from podstore.frontends.dialects.bitdust.errors import reply_for
from podstore.frontends.dialects.bitdust.inputs import MASTER, Args, KeyId, RemotePath

Push = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Call:
    core: Core
    engine: Engine
    caller: Caller
    push: Push | None = None  # the WebSocket the call came on, for pushed frames
    models: set[str] | None = None  # the models that WebSocket listens to

    async def key(self, key: KeyId) -> KeyInfo:
        """The caller's key named `key`: `master` made on first use. A key id names its
        creator too, and must name the right one."""
        me = self.caller.me
        if key.host != self.engine.host:
            raise Failure(f"key {key} is not registered", "not_found")
        try:
            found = await self.core.keyring.get(me, key.alias)
        except NotFound:
            if key.alias != MASTER or key.user != me.name:
                raise Failure(f"key {key} is not registered", "not_found") from None
            found = await self.master_key()
        if found.creator != key.user:
            raise Failure(f"key {key} is not registered", "not_found")
        return found

    async def master_key(self) -> KeyInfo:
        me = self.caller.me
        try:
            return await self.core.keyring.create(
                me, MASTER, versions_kept=self.engine.settings.versions_kept
            )
        except Conflict:  # made meanwhile by another call, or a pod of that name is in the way
            try:
                return await self.core.keyring.get(me, MASTER)
            except NotFound:
                raise Failure(
                    "a pod named master is in the way of the master key: rename it", "conflict"
                ) from None

    async def place(self, key: KeyId) -> Place:
        """Where what a key opens is, as the core's permission check names it."""
        found = await self.key(key)
        if not found.scope:
            raise Failure(f"the folder of key {key} is gone", "not_found")
        return Place(found.scope, found.root)


@dataclass(frozen=True)
class Place:
    """The scope a key opens and the folder inside it its catalog starts at."""

    scope: str
    root: str

    def path(self, rp: RemotePath) -> str:
        return "/".join(filter(None, [self.root, rp.path]))


Method = Callable[[Call, Args], Awaitable[Reply]]
METHODS: dict[str, Method] = {}


def api(method: Method) -> Method:
    METHODS[method.__name__] = method
    return method


def api_named(name: str) -> Callable[[Method], Method]:
    def register(method: Method) -> Method:
        METHODS[name] = method
        return method

    return register


async def invoke(call: Call, name: str, kwargs: dict[str, Any]) -> Reply:
    """Run one API method; whatever it raises becomes an `ERROR` envelope."""
    method = METHODS.get(name)
    if method is None:
        return error(f"method {name} was not found")
    try:
        return await method(call, Args(kwargs))
    except Exception as exc:  # every failure is the client's answer, never a crash
        return reply_for(exc)
