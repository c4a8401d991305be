"""Dependencies shared by the native routes: the core and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from podstore.core.context import Actor
from podstore.core.errors import PermissionDenied, Unauthenticated
from podstore.core.service import Core
from podstore.frontends.http import csrf

COOKIE = "podstore_token"


def get_core(request: Request) -> Core:
    core: Core = request.app.state.core
    return core


def bearer_token(request: Request) -> str | None:
    """The Authorization header's Bearer token, else the session cookie's."""
    return _header_token(request) or request.cookies.get(COOKIE)


def _header_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


async def current_actor(request: Request, core: Annotated[Core, Depends(get_core)]) -> Actor:
    token = bearer_token(request)
    if not token:
        raise Unauthenticated("send a Bearer token or log in")
    actor = await core.accounts.authenticate(token)
    from_cookie = _header_token(request) is None
    unsafe = request.method not in csrf.SAFE_METHODS
    if from_cookie and unsafe and not csrf.matches(token, request.headers.get(csrf.HEADER)):
        raise PermissionDenied("a write with the session cookie needs its X-CSRF-Token")
    return actor


CoreDep = Annotated[Core, Depends(get_core)]
ActorDep = Annotated[Actor, Depends(current_actor)]
