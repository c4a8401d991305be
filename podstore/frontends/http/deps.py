"""Dependencies shared by the native routes: the core and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from podstore.core.context import Actor
from podstore.core.errors import Unauthenticated
from podstore.core.service import Core

COOKIE = "podstore_token"


def get_core(request: Request) -> Core:
    core: Core = request.app.state.core
    return core


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


async def current_actor(request: Request, core: Annotated[Core, Depends(get_core)]) -> Actor:
    token = bearer_token(request)
    if not token:
        raise Unauthenticated("send a Bearer token or log in")
    return await core.accounts.authenticate(token)


CoreDep = Annotated[Core, Depends(get_core)]
ActorDep = Annotated[Actor, Depends(current_actor)]
