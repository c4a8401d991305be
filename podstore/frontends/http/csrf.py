"""Cross-site request forgery: a write authenticated by the session cookie alone must prove
it came from one of our pages.

The proof is a token derived from the session token (a keyed hash: nothing stored, valid on
every node, void at logout), sent back in the `X-CSRF-Token` header (htmx, fetch, tus) or a
form's `csrf` field. A request with a Bearer token is not at risk (a browser never adds one by
itself). The web UI also refuses writes whose `Origin` or `Sec-Fetch-Site` says another site,
and so does every WebSocket authenticated by the cookie (a browser sends the cookie on a
cross-site WebSocket handshake, and the same-origin policy does not apply to WebSockets).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from starlette.requests import HTTPConnection

HEADER = "x-csrf-token"
FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def token_for(session_token: str) -> str:
    digest = hashlib.blake2b(b"podstore csrf", key=session_token.encode()[:64], digest_size=24)
    return base64.urlsafe_b64encode(digest.digest()).decode()


def matches(session_token: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(token_for(session_token), presented)


def cross_site(request: HTTPConnection) -> bool:
    """Whether the browser says this request (or WebSocket handshake) comes from a page of
    another origin."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin == "null"
    host = request.headers.get("host", "")
    if origin.split("://", 1)[-1] == host:
        return False
    # behind a proxy that rewrites Host, our pages' origin is the public address
    core = getattr(request.app.state, "core", None)
    public = core.settings.public_url if core is not None else None
    return public is None or origin != _origin(public)


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
