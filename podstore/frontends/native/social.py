"""The event stream (WebSocket and long-poll), messages, contacts and the audit log.

Events: `GET /api/v1/events` is a WebSocket. Authenticate with the Bearer header, a
`?token=` query parameter (browsers cannot set headers on a WebSocket) or the session
cookie; with the cookie alone, the handshake's `Origin` must be this server's (a page of
another site could otherwise open the socket as its visitor: code 4403). `?after=<seq>`
replays the stored events after that sequence and then streams new ones; without it only
new events come. Each message is `{seq, kind, data, at}`; a client
resumes after a reconnect by passing the last `seq` it saw. A rejected token closes the
socket with code 4401. `GET /api/v1/events/poll?after=&timeout=` is the long-poll form.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, Query, Response, WebSocket
from pydantic import BaseModel, Field
from starlette.websockets import WebSocketDisconnect

from podstore.core.context import Actor
from podstore.core.errors import CoreError, PermissionDenied, Unauthenticated
from podstore.core.service import Core
from podstore.frontends.http import csrf
from podstore.frontends.http.deps import COOKIE, ActorDep, CoreDep
from podstore.frontends.http.openapi import problems
from podstore.frontends.native import shapes_social

router = APIRouter(tags=["social"], responses=problems(401, 403, 404, 409))
REAUTH_SECONDS = 60.0
MAX_POLL_SECONDS = 60.0


# -- events ----------------------------------------------------------------------------------


def _socket_token(ws: WebSocket) -> str | None:
    scheme, _, value = ws.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    token = ws.query_params.get("token")
    if token:
        return token
    cookie = ws.cookies.get(COOKIE)
    if cookie and csrf.cross_site(ws):
        raise PermissionDenied("the session cookie is not accepted from another site's page")
    return cookie


def _after(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise ValueError("after must be a sequence number, 0 or more")
    return int(raw)


async def _pump(ws: WebSocket, core: Core, actor: Actor, after: int) -> None:
    async for event in core.events.subscribe(actor.user_id, after):
        await ws.send_json(shapes_social.event(event))


async def _drain(ws: WebSocket) -> None:
    """Read (and ignore) what the client sends, until it goes away."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _recheck(core: Core, token: str) -> None:
    """Return once the session is no longer valid (logged out, expired, account gone)."""
    while True:
        await asyncio.sleep(REAUTH_SECONDS)
        try:
            await core.accounts.authenticate(token)
        except CoreError:
            return


@router.websocket("/events")
async def events_socket(ws: WebSocket) -> None:
    core: Core = ws.app.state.core
    try:
        token = _socket_token(ws)
        after = _after(ws.query_params.get("after"))
        if not token:
            raise Unauthenticated("send a Bearer token, ?token= or the session cookie")
        actor = await core.accounts.authenticate(token)
    except CoreError as exc:
        await ws.accept()
        code = 4403 if isinstance(exc, PermissionDenied) else 4401
        await ws.close(code=code, reason=str(exc)[:120])
        return
    except ValueError as exc:
        await ws.accept()
        await ws.close(code=4400, reason=str(exc)[:120])
        return
    await ws.accept()
    start = after if after is not None else await core.events.last_seq(actor.user_id)
    tasks = [
        asyncio.ensure_future(_pump(ws, core, actor, start)),
        asyncio.ensure_future(_drain(ws)),
        asyncio.ensure_future(_recheck(core, token)),
    ]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if tasks[2] in done:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await ws.close(code=4401, reason="the session has ended")
    elif tasks[0] in done and not tasks[0].cancelled() and tasks[0].exception() is not None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await ws.close(code=1011)


@router.get("/events/poll")
async def poll_events(
    actor: ActorDep,
    core: CoreDep,
    after: int | None = Query(None, ge=0, le=2**62),
    seconds: float = Query(25.0, alias="timeout", ge=0, le=MAX_POLL_SECONDS),
    limit: int = Query(500, ge=1, le=1000),
) -> dict[str, Any]:
    """Events after `after` at once if there are any, else the first within `timeout` s."""
    if after is None:
        after = await core.events.last_seq(actor.user_id)
    found = await core.events.wait(actor.user_id, after, seconds, limit)
    return {
        "events": [shapes_social.event(e) for e in found],
        "last_seq": found[-1].seq if found else after,
    }


# -- messages --------------------------------------------------------------------------------


class MessageBody(BaseModel):
    to: str | None = Field(default=None, max_length=256)
    group: str | None = Field(default=None, max_length=256)
    text: str = Field(max_length=64 * 1024)


@router.post("/messages", status_code=201)
async def send_message(body: MessageBody, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    sent = await core.messages.send(actor, body.text, to=body.to, group=body.group)
    return shapes_social.message(sent)


@router.get("/messages")
async def message_history(
    actor: ActorDep,
    core: CoreDep,
    with_user: str | None = Query(None, alias="with", max_length=256),
    group: str | None = Query(None, max_length=256),
    offset: int = Query(0, ge=0, le=2**31),
    limit: int = Query(50, ge=1, le=1000),
) -> dict[str, Any]:
    """One conversation, newest first."""
    page = await core.messages.history(
        actor, with_user=with_user, group=group, offset=offset, limit=limit
    )
    return shapes_social.offset_page("messages", page, shapes_social.message)


@router.get("/messages/conversations")
async def conversations(
    actor: ActorDep, core: CoreDep, limit: int = Query(100, ge=1, le=1000)
) -> dict[str, Any]:
    found = await core.messages.conversations(actor, limit)
    return {"conversations": [shapes_social.conversation(c) for c in found]}


# -- contacts --------------------------------------------------------------------------------


class ContactBody(BaseModel):
    name: str = Field(max_length=256)
    alias: str | None = Field(default=None, max_length=256)


class AliasBody(BaseModel):
    alias: str | None = Field(default=None, max_length=256)


@router.get("/contacts")
async def list_contacts(actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return {"contacts": [shapes_social.contact(c) for c in await core.contacts.list(actor)]}


@router.post("/contacts", status_code=201)
async def add_contact(body: ContactBody, actor: ActorDep, core: CoreDep) -> dict[str, Any]:
    return shapes_social.contact(await core.contacts.add(actor, body.name, body.alias))


@router.patch("/contacts/{name}")
async def rename_contact(
    name: str, body: AliasBody, actor: ActorDep, core: CoreDep
) -> dict[str, Any]:
    return shapes_social.contact(await core.contacts.rename(actor, name, body.alias))


@router.delete("/contacts/{name}", status_code=204)
async def remove_contact(name: str, actor: ActorDep, core: CoreDep) -> Response:
    await core.contacts.remove(actor, name)
    return Response(status_code=204)


# -- audit -----------------------------------------------------------------------------------


@router.get("/audit")
async def audit_log(
    actor: ActorDep,
    core: CoreDep,
    offset: int = Query(0, ge=0, le=2**31),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """The caller's own audit log, newest first."""
    page = await core.audit.list(actor, offset, limit)
    return shapes_social.offset_page("entries", page, shapes_social.audit_entry)
