"""The permission webhook: `GET <hook_url>?file_id=&file_op=` with the identity headers;
200 allows, 403 refuses with the hook's message, anything else (or no answer within the
timeout) fails the request with 500, never lets it through.

httpx is imported by the first call: importing it also loads its command line (rich,
pygments, click), several MB that a server without a webhook need not hold."""

from __future__ import annotations

import asyncio
import json

from podstore.core.errors import PermissionDenied
from podstore.core.records import FilestoreIdentity
from podstore.frontends.dialects.hasura.errors import HookFailed

MAX_MESSAGE = 4096


def _message(body: bytes) -> str:
    """The refusal's message: `message` or `error` of a JSON object, else the text."""
    text = body.decode("utf-8", "replace").strip()
    try:
        parsed = json.loads(text)
    except ValueError:
        return text[:500]
    if isinstance(parsed, dict):
        for key in ("message", "error"):
            if isinstance(parsed.get(key), str):
                return str(parsed[key])[:500]
    return text[:500]


class Webhook:
    def __init__(self, url: str, timeout_seconds: float) -> None:
        self.url = url
        self.timeout = timeout_seconds

    async def __call__(self, file_id: str, op: str, who: FilestoreIdentity) -> None:
        import httpx

        headers = {
            "X-Hasura-User-Id": str(who.number),
            "X-Hasura-Role": who.role,
            "X-Hasura-User-Role": who.role,
            "X-Hasura-Allowed-Roles": ",".join(who.allowed_roles),
        }
        try:
            async with asyncio.timeout(self.timeout), httpx.AsyncClient(timeout=self.timeout) as c:
                params = {"file_id": file_id, "file_op": op}
                async with c.stream("GET", self.url, params=params, headers=headers) as answer:
                    body = b""
                    async for piece in answer.aiter_bytes():
                        body += piece
                        if len(body) >= MAX_MESSAGE:
                            break
        except TimeoutError:
            raise HookFailed(f"no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise HookFailed(f"it could not be reached ({type(exc).__name__})") from None
        if answer.status_code == 200:
            return
        if answer.status_code == 403:
            raise PermissionDenied(_message(body) or "the permission webhook refused")
        raise HookFailed(f"it answered {answer.status_code}")
