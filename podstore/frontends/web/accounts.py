"""Sign up, log in and out, the account page (password, app passwords)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from podstore.core.errors import CoreError, Invalid
from podstore.frontends.http.deps import client_address
from podstore.frontends.web.actions import Done, action, text
from podstore.frontends.web.errors import message_of
from podstore.frontends.web.render import render
from podstore.frontends.web.session import (
    VIEWER,
    Viewer,
    checked_form,
    core_of,
    end_session,
    local_target,
    refuse_cross_site,
    require_viewer,
    start_session,
    viewer_of,
)


async def home(request: Request) -> Response:
    target = "/pods" if await viewer_of(request) else "/login"
    return RedirectResponse(target, status_code=303)


async def login_page(request: Request) -> Response:
    if await viewer_of(request):
        return RedirectResponse(local_target(request.query_params.get("next"), "/pods"), 303)
    return render(request, "login.html", {"next": request.query_params.get("next", "")})


async def login(request: Request) -> Response:
    refuse_cross_site(request)
    form = await request.form()
    name, target = text(form, "name"), local_target(text(form, "next"), "/pods")
    core = core_of(request)
    try:
        result = await core.accounts.login(name, text(form, "password"), client_address(request))
    except CoreError as exc:
        context = {"next": target, "name": name, "error": message_of(exc)}
        return render(request, "login.html", context, 401 if "password" in str(exc) else 400)
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, result, core.settings.token_ttl_seconds)
    return response


async def signup_page(request: Request) -> Response:
    return render(request, "signup.html", {})


async def signup(request: Request) -> Response:
    refuse_cross_site(request)
    form = await request.form()
    name, password = text(form, "name"), text(form, "password")
    core = core_of(request)
    try:
        if password != text(form, "password2"):
            raise Invalid("the two passwords differ")
        created = await core.accounts.signup(name, password)
        result = await core.accounts.login(name, password, client_address(request))
    except CoreError as exc:
        return render(request, "signup.html", {"name": name, "error": message_of(exc)}, 400)
    request.scope[VIEWER] = Viewer(await core.accounts.authenticate(result.token), result.token)
    response = render(request, "signed_up.html", {"name": name, "mnemonic": created.mnemonic})
    start_session(request, response, result, core.settings.token_ttl_seconds)
    return response


async def logout(request: Request) -> Response:
    viewer = await viewer_of(request)
    response = RedirectResponse("/login", status_code=303)
    if viewer is not None:
        await checked_form(request, viewer)
        await core_of(request).accounts.logout(viewer.actor)
    end_session(response)
    return response


async def account(request: Request) -> Response:
    viewer = await require_viewer(request)
    core = core_of(request)
    user = await core.accounts.me(viewer.actor)
    open_sessions = await core.accounts.open_sessions(viewer.actor)
    return render(request, "account.html", {"user": user, "sessions": open_sessions})


@action
async def change_password(request: Request, viewer: Viewer, form: dict[str, str]) -> Done:
    if form.get("new_password") != form.get("new_password2"):
        raise Invalid("the two new passwords differ")
    await core_of(request).accounts.change_password(
        viewer.actor, form.get("old_password", ""), form.get("new_password", "")
    )
    return Done("Password changed.")


@action
async def end_other_session(request: Request, viewer: Viewer, form: dict[str, str]) -> Done:
    await core_of(request).accounts.end_session(viewer.actor, form.get("id", ""))
    return Done("That session is logged out.")


ROUTES = [
    Route("/", home),
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/signup", signup_page, methods=["GET"]),
    Route("/signup", signup, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/account", account, methods=["GET"]),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/account/sessions/end", end_other_session, methods=["POST"]),
]
