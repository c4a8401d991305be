"""A form that changes something: checked (session, CSRF), done, then back to a page with
a message. A refusal by the core answers the kind's status with the core's words and a way
back (`errors.refusal`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from podstore.core.errors import UNAVAILABLE, CoreError
from podstore.frontends.web.errors import refusal
from podstore.frontends.web.session import Viewer, checked_form, flash, local_target, require_viewer


@dataclass(frozen=True)
class Done:
    message: str | None = None
    to: str | None = None  # where to go next; default: the form's `next`


Handler = Callable[[Request, Viewer, dict[str, str]], Awaitable[Done | Response]]


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def values(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


def action(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        viewer = await require_viewer(request)
        form = await checked_form(request, viewer)
        fields: dict[str, Any] = {k: text(form, k) for k in form}
        fields["paths"] = values(form, "path")
        back = local_target(text(form, "next"), "/pods")
        try:
            done = await handler(request, viewer, fields)
        except UNAVAILABLE:
            raise
        except CoreError as exc:
            return refusal(request, exc, back)
        if isinstance(done, Response):
            return done
        response = RedirectResponse(local_target(done.to, back), status_code=303)
        if done.message:
            flash(response, done.message)
        return response

    endpoint.__name__ = handler.__name__
    return endpoint
