"""The API methods by name, and what each call sees: the core, the engine, who calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from podstore.core.errors import NotFound
from podstore.core.service import Core
from podstore.frontends.dialects.bitdust.engine import Caller, Engine
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, error
from podstore.frontends.dialects.bitdust.errors import reply_for
from podstore.frontends.dialects.bitdust.inputs import MASTER, Args, KeyId

Push = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Call:
    core: Core
    engine: Engine
    caller: Caller
    push: Push | None = None  # the WebSocket the call came on, for pushed frames

    async def scope(self, key: KeyId) -> str:
        """The pod reference a key opens for the caller: their own pods by alias (`master`
        made on first use), or a pod granted to them under that alias. A key never opens
        what the caller's own membership does not."""
        me = self.caller.me
        if key.host != self.engine.host:
            raise NotFound(f"unknown user {key.user}@{key.host}")
        mine = key.user == me.name
        if mine and key.alias == MASTER:
            try:
                await self.core.pods.stat(me, MASTER)
            except NotFound:
                versions = self.engine.settings.versions_kept
                await self.core.pods.create(me, MASTER, versions_kept=versions)
            return MASTER
        try:
            pod = await self.core.pods.stat(me, key.alias)
        except NotFound:
            raise Failure(f"key {key} is not registered", "not_found") from None
        if mine != (pod.role == "owner") or (not mine and key.alias == MASTER):
            raise Failure(f"key {key} is not registered", "not_found")
        return key.alias


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
