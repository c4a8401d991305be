"""LOCK and UNLOCK (RFC 4918 §9.10-9.11): new locks, refreshes, locks on unmapped URLs (an
empty file is made, as §7.3 asks) and their release."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.responses import Response

from podstore.core.errors import Conflict, Invalid
from podstore.core.records import DavLock
from podstore.frontends.webdav import props, xml
from podstore.frontends.webdav.call import Call
from podstore.frontends.webdav.errors import XML, DavError
from podstore.frontends.webdav.xml import DAV


def timeout_of(header: str | None) -> float | None:
    """The first acceptable value of a Timeout header (`Second-n` or `Infinite`), in
    seconds; None for the server's default. The core caps it."""
    for item in (header or "").split(","):
        value = item.strip().lower()
        if value == "infinite":
            return float("inf")
        if value.startswith("second-") and value[7:].isdigit() and len(value) < 20:
            return float(value[7:])
    return None


async def _empty() -> AsyncIterator[bytes]:
    if False:
        yield b""


def _answer(lock: DavLock, pod: str | None, status: int) -> Response:
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<D:prop xmlns:D="DAV:"><D:lockdiscovery>'
        + props.active_lock(lock, pod)
        + "</D:lockdiscovery></D:prop>"
    )
    return Response(
        body.encode(), status, headers={"Lock-Token": f"<{lock.token}>"}, media_type=XML
    )


async def lock(call: Call) -> Response:
    pod = call.pod
    body = await call.xml_body()
    seconds = timeout_of(call.request.headers.get("timeout"))
    if not body.strip():
        if not call.request.headers.get("if"):
            raise Invalid("a LOCK without a body refreshes a lock named in the If header")
        await call.check_if()
        refreshed = await call.core.dav.refresh(
            call.actor, pod, call.loc.path, call.tokens, seconds
        )
        response = _answer(refreshed, pod, 200)
        del response.headers["Lock-Token"]
        return response
    root = xml.parse(body)
    scope = root.find(DAV, "lockscope")
    kind = root.find(DAV, "locktype")
    if not root.is_(DAV, "lockinfo") or scope is None or kind is None:
        raise Invalid("the body is not a DAV:lockinfo with a lockscope and a locktype")
    if kind.find(DAV, "write") is None:
        raise DavError(422, "only write locks exist")
    exclusive = scope.find(DAV, "exclusive") is not None
    if not exclusive and scope.find(DAV, "shared") is None:
        raise Invalid("the lockscope is exclusive or shared")
    owner = root.find(DAV, "owner")
    infinite = call.depth("infinity", ("0", "infinity")) == "infinity"
    await call.check_if()
    created = (await call.core.dav.target(call.actor, pod, call.loc.path)).node is None
    if created:
        await call.core.dav.check_write(
            call.actor, pod, call.loc.path, call.tokens, members_change=True
        )
        await call.core.files.upload(call.actor, pod, call.loc.path, _empty(), size_hint=0)
    taken = await call.core.dav.lock(
        call.actor,
        pod,
        call.loc.path,
        exclusive=exclusive,
        infinite=infinite,
        owner=owner.inner_xml() if owner is not None else "",
        seconds=seconds,
    )
    return _answer(taken, pod, 201 if created else 200)


async def unlock(call: Call) -> Response:
    header = call.request.headers.get("lock-token", "").strip()
    if not (header.startswith("<") and header.endswith(">")):
        raise Invalid("UNLOCK needs a Lock-Token header: <token>")
    try:
        await call.core.dav.unlock(call.actor, call.pod, call.loc.path, header[1:-1].strip())
    except Conflict as exc:
        raise DavError(409, exc.detail, "lock-token-matches-request-uri") from None
    return Response(status_code=204)
