"""`/user/…`: sign-in with a podstore account, the session cookie, the user's settings."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from starlette.responses import Response

from podstore.core.context import Actor
from podstore.core.errors import Conflict, Invalid, NotFound, PayloadTooLarge, Unauthenticated
from podstore.frontends.dialects.antos.errors import AntosError, ok
from podstore.frontends.dialects.antos.paths import DESKTOP, PACKAGES, SETTINGS, home
from podstore.frontends.dialects.antos.routing import COOKIE, Call, action, controller
from podstore.frontends.http.deps import client_address

SETTINGS_FILE = (*SETTINGS, "settings.json")
INVALID_LOGIN = "Invalid login"

controller(
    "user",
    "Sign-in of the AntOS desktop",
    {
        "/auth": "The signed-in user's information and settings",
        "/login": "Sign in with a user name and password",
        "/logout": "Sign out",
    },
)


async def ensure_home(call: Call, actor: Actor) -> None:
    """The home pod (made on first sign-in) and the folders the desktop expects in it."""
    core, pod = call.core, call.settings.home_pod
    try:
        await core.pods.scope(actor, pod)
    except NotFound:
        with contextlib.suppress(Conflict):  # made by a concurrent sign-in
            await core.pods.create(actor, pod)
    for folder in (SETTINGS, DESKTOP, PACKAGES):
        await core.tree.mkdir(actor, pod, "/".join(folder), parents=True)


async def saved_settings(call: Call) -> dict[str, Any]:
    path = home(call.settings.home_pod, *SETTINGS_FILE)
    try:
        raw = await call.volumes.read(call, path, call.core.settings.max_json_body)
        saved = json.loads(raw)
    except (NotFound, Invalid, PayloadTooLarge, ValueError, RecursionError):
        return {}
    return saved if isinstance(saved, dict) else {}


async def userinfo(call: Call) -> dict[str, Any]:
    """The saved settings merged with `user: {username, id, name, groups}`."""
    actor = await call.actor()
    me = await call.core.accounts.me(actor)
    groups = {g.id: g.name for g in await call.core.groups.list(actor)}
    user = {
        "username": me.name,
        "id": me.id,
        "name": me.profile.get("display_name") or me.name,
        "groups": groups,
    }
    return {**await saved_settings(call), "user": user}


def session_cookie(call: Call, response: Response, value: str, max_age: int | None) -> None:
    """`sessionid=<v>; Path=/`, as the desktop expects; HttpOnly (it never reads it),
    SameSite=Lax (no cross-site form posts with it), Secure behind an https public URL."""
    response.set_cookie(
        COOKIE,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=call.core.settings.base_url.startswith("https://"),
    )


@action("user", "auth")
async def auth(call: Call) -> Response:
    return ok(await userinfo(call))


@action("user", "login")
async def login(call: Call) -> Response:
    try:
        body = await call.json()
    except AntosError:
        raise AntosError("Invalid request") from None
    name, password = body.get("username"), body.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        raise AntosError(INVALID_LOGIN)
    core = call.core
    try:
        session = await core.accounts.login(name, password, client_address(call.request))
    except (Unauthenticated, Invalid, NotFound):
        raise AntosError(INVALID_LOGIN) from None
    call.sign_in(await core.accounts.authenticate(session.token))
    await ensure_home(call, await call.actor())
    response = ok(await userinfo(call))
    session_cookie(call, response, session.token, core.settings.token_ttl_seconds)
    return response


@action("user", "logout")
async def logout(call: Call) -> Response:
    with contextlib.suppress(Unauthenticated):  # signed out already: the same answer
        await call.core.accounts.logout(await call.actor())
    response = ok(True)
    session_cookie(call, response, "0", None)
    return response
