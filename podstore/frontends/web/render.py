"""Pages from Jinja2 templates, with the headers every page carries (CSP: no inline script,
no inline style, nothing from another origin; no framing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from podstore import __version__
from podstore.frontends.web.session import FLASH, VIEWER, flashed

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent.parent.parent / "web" / "static"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "media-src 'self'; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def when(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def url_path(path: str) -> str:
    """A path (or name) for use in a URL path, each segment percent-encoded."""
    return quote(path.strip("/"), safe="/")


def parent_of(path: str) -> str:
    return path.strip("/").rpartition("/")[0]


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters.update(size=human_size, when=when, urlpath=url_path, parent=parent_of)
ENV.globals["version"] = __version__


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    message = flashed(request)
    page = ENV.get_template(template).render(
        request=request, viewer=request.scope.get(VIEWER), flash=message, **context
    )
    response = HTMLResponse(page, status, headers={**PAGE_HEADERS, **(headers or {})})
    if message:
        response.delete_cookie(FLASH)
    return response
