"""Who is looking at a page, and the checks every write from a page passes.

The session is the native API's cookie (`podstore_token`, HttpOnly, SameSite=Lax, Secure over
HTTPS), so the page's own scripts call /api/v1 (tus, app passwords) with it; each write
carries the CSRF token derived from it (`frontends/http/csrf.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from podstore.core.context import Actor
from podstore.core.errors import PermissionDenied, Unauthenticated
from podstore.core.records import Login
from podstore.core.service import Core
from podstore.frontends.http import csrf
from podstore.frontends.http.deps import COOKIE

FLASH = "podstore_flash"
VIEWER = "podstore.viewer"  # the scope key of the page's Viewer, for the templates


@dataclass(frozen=True)
class Viewer:
    actor: Actor
    token: str

    @property
    def csrf(self) -> str:
        return csrf.token_for(self.token)


def core_of(request: Request) -> Core:
    core: Core = request.app.state.core
    return core


async def viewer_of(request: Request) -> Viewer | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        viewer = Viewer(await core_of(request).accounts.authenticate(token), token)
    except Unauthenticated:
        return None
    request.scope[VIEWER] = viewer
    return viewer


async def require_viewer(request: Request) -> Viewer:
    viewer = await viewer_of(request)
    if viewer is None:
        raise Unauthenticated("log in first")
    return viewer


def refuse_cross_site(request: Request) -> None:
    if csrf.cross_site(request):
        raise PermissionDenied("this form was sent from another site")


async def checked_form(request: Request, viewer: Viewer | None) -> FormData:
    """The posted form, once it proved it comes from our page (the token, when logged in)."""
    refuse_cross_site(request)
    form = await request.form()
    if viewer is not None:
        presented = request.headers.get(csrf.HEADER) or _text(form.get(csrf.FIELD))
        if not csrf.matches(viewer.token, presented):
            raise PermissionDenied("this form is stale or was not sent from our page: reload it")
    return form


def check_token(request: Request, viewer: Viewer) -> None:
    """For a write whose body is not a plain form (a streamed upload): header or query."""
    refuse_cross_site(request)
    presented = request.headers.get(csrf.HEADER) or request.query_params.get(csrf.FIELD)
    if not csrf.matches(viewer.token, presented):
        raise PermissionDenied("this upload was not sent from our page: reload it")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def start_session(request: Request, response: Response, login: Login, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        login.token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE)


def flash(response: Response, message: str) -> None:
    """A message for the next page shown (after a redirect); any text, percent-encoded."""
    encoded = quote(message[:300], safe=" .,:;!?()'-_/")
    response.set_cookie(FLASH, encoded, max_age=60, httponly=True, samesite="strict")


def flashed(request: Request) -> str | None:
    message = request.cookies.get(FLASH)
    return unquote(message) if message else None


def local_target(target: str | None, fallback: str) -> str:
    """A redirect target on this site only (never `//evil.example` or a full URL)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return fallback
    if any(c in target for c in "\\\r\n\t"):  # browsers read a backslash as a slash
        return fallback
    return target
