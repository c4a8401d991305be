"""friend*, user_*: contacts and the users of this server; message_*: private and group
messages, long-polled; group_*: podstore groups named `group_<hex>` (their key alias)."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from podstore.core.errors import NotFound
from podstore.core.records import GroupDetail, Message
from podstore.frontends.dialects.bitdust.catalog import idurl
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, ok, result
from podstore.frontends.dialects.bitdust.inputs import MASTER, Args, KeyId, parse_key_id
from podstore.frontends.dialects.bitdust.registry import Call, api, api_named

USER_INPUTS = ("trusted_user_id", "user_id", "recipient_id", "global_id", "idurl", "id")
MAX_POLL_SECONDS = 120


def user_of(call: Call, text: str) -> str:
    """The user name in a nickname, `user@host` or `http://host/user.xml`."""
    if text.startswith(("http://", "https://")) and text.endswith(".xml"):
        text = text.rsplit("/", 1)[-1][:-4]
    if "@" in text:
        key = parse_key_id(text, call.caller.me.name, call.engine.host)
        if key.host != call.engine.host:
            raise NotFound(f"unknown user {text}")
        return key.user
    return text


def person(call: Call, name: str) -> dict[str, str]:
    key = KeyId(MASTER, name, call.engine.host)
    return {"global_id": call.engine.global_id(name), "idurl": idurl(key), "glob_id": str(key)}


# -- friends and users -----------------------------------------------------------------------


@api
async def friends_list(call: Call, args: Args) -> Reply:
    contacts = await call.core.contacts.list(call.caller.me)
    return result(
        [
            person(call, c.name) | {"alias": c.alias or c.name, "contact_state": "CONNECTED"}
            for c in contacts
        ]
    )


@api
async def friend_add(call: Call, args: Args) -> Reply:
    name = user_of(call, args.required(*USER_INPUTS))
    contact = await call.core.contacts.add(call.caller.me, name, args.text("alias"))
    return ok(
        person(call, contact.name) | {"alias": contact.alias or ""},
        message=f"new friend has been added: {name}",
    )


@api
async def friend_remove(call: Call, args: Args) -> Reply:
    name = user_of(call, args.required(*USER_INPUTS))
    await call.core.contacts.remove(call.caller.me, name)
    return ok(message=f"friend has been removed: {name}")


async def _known_user(call: Call, args: Args) -> str:
    """A user of this server, checked as a message would be (the core says who exists)."""
    name = user_of(call, args.required(*USER_INPUTS, "nickname"))
    await call.core.messages.history(call.caller.me, with_user=name, limit=1)
    return name


@api
async def user_ping(call: Call, args: Args) -> Reply:
    name = await _known_user(call, args)
    return ok(person(call, name) | {"state": "CONNECTED"}, message=f"user {name} is online")


@api
async def user_status(call: Call, args: Args) -> Reply:
    name = await _known_user(call, args)
    return ok(person(call, name) | {"contact_status": "connected", "contact_state": "CONNECTED"})


@api
async def user_status_check(call: Call, args: Args) -> Reply:
    return await user_status(call, args)


@api
async def user_search(call: Call, args: Args) -> Reply:
    name = await _known_user(call, args)
    return ok(person(call, name) | {"nickname": name, "result": "exist", "position": 0})


@api
async def user_observe(call: Call, args: Args) -> Reply:
    name = await _known_user(call, args)
    return result([person(call, name) | {"nickname": name, "result": "exist", "position": 0}])


# -- messages --------------------------------------------------------------------------------


def _payload(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return {"message": text}


def describe_message(call: Call, message: Message, creator: str | None = None) -> dict[str, Any]:
    me = call.caller.me.name
    group = message.group_name
    recipient = person(call, message.to) if message.to else {}
    if group:
        recipient = {"glob_id": f"{group}${creator or message.sender}@{call.engine.host}"}
    return {
        "message_id": str(message.id),
        "type": "group_message" if group else "private_message",
        "direction": "outgoing" if message.sender == me else "incoming",
        "sender": person(call, message.sender),
        "recipient": recipient,
        "data": _payload(message.text),
        "time": message.sent_at,
    }


def _data(args: Args) -> str:
    data = args.raw("data")
    if data is None or data == "":
        raise Failure("mandatory argument missed: data", "missing_argument")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            data = {"message": data}
    return json.dumps(data, sort_keys=True)


@api
async def message_send(call: Call, args: Args) -> Reply:
    name = user_of(call, args.required("recipient_id", "global_id", "idurl", "id"))
    await call.core.messages.send(call.caller.me, _data(args), to=name)
    return ok(message="message sent")


@api
async def message_send_group(call: Call, args: Args) -> Reply:
    group = await group_of(call, args.required("group_key_id"))
    await call.core.messages.send(call.caller.me, _data(args), group=group.group.id)
    return ok(message="group message sent")


@api
async def message_history(call: Call, args: Args) -> Reply:
    me = call.caller.me
    who = args.required("recipient_id", "id", "global_id", "idurl")
    offset, limit = args.integer("offset", 0), args.integer("limit", 100, 1, 1000)
    if who.startswith("group_"):
        group = await group_of(call, who)
        page = await call.core.messages.history(
            me, group=group.group.id, offset=offset, limit=limit
        )
    else:
        page = await call.core.messages.history(
            me, with_user=user_of(call, who), offset=offset, limit=limit
        )
    return result([describe_message(call, m) for m in reversed(page.items)])


@api
async def message_conversations_list(call: Call, args: Args) -> Reply:
    limit = args.integer("limit", 100, 1, 1000)
    found = await call.core.messages.conversations(call.caller.me, limit)
    return result(
        [
            {
                "key_id": person(call, c.with_user)["glob_id"],
                "conversation_id": c.with_user,
                "type": "private_message",
                "label": c.with_user,
                "last_message": describe_message(call, c.last),
            }
            for c in found
        ]
    )


@api
async def message_receive(call: Call, args: Args) -> Reply:
    """Long-poll the caller's incoming messages; each consumer id keeps its own place."""
    me = call.caller.me
    consumer = args.required("consumer_callback_id")
    timeout = args.integer("polling_timeout", 60, 0, MAX_POLL_SECONDS)
    after = await call.engine.consumer_position(call.core, me.user_id, consumer)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        events = await call.core.events.wait(me.user_id, after, max(0.0, deadline - loop.time()))
        if events:
            after = events[-1].seq
            call.engine.consumers[(me.user_id, consumer)] = after
        found = [e.data for e in events if e.kind == "message.received"]
        if found or not events or loop.time() >= deadline:
            break
    return result([_received(call, data) for data in found])


def _received(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    group = data.get("group")
    return {
        "message_id": str(data.get("id")),
        "type": "group_message" if group else "private_message",
        "direction": "incoming",
        "sender": person(call, str(data.get("from"))),
        "recipient": {"group": group["name"]} if group else person(call, call.caller.me.name),
        "data": _payload(str(data.get("text", ""))),
        "time": data.get("sent_at"),
    }


# -- groups ----------------------------------------------------------------------------------


async def group_of(call: Call, text: str) -> GroupDetail:
    key = parse_key_id(text, call.caller.me.name, call.engine.host)
    try:
        return await call.core.groups.get(call.caller.me, key.alias)
    except NotFound:
        raise Failure(f"group {text} is not registered", "not_found") from None


def group_info(call: Call, detail: GroupDetail) -> dict[str, Any]:
    creator = next((m.name for m in detail.members if m.role == "owner"), call.caller.me.name)
    key_id = f"{detail.group.name}${creator}@{call.engine.host}"
    return {
        "group_key_id": key_id,
        "key_id": key_id,
        "alias": detail.group.name,
        "label": detail.group.name,
        "creator": idurl(KeyId(MASTER, creator, call.engine.host)),
        "active": True,
        "state": "IN_SYNC!",
        "participants": [m.name for m in detail.members],
        "role": detail.group.role,
    }


@api
async def groups_list(call: Call, args: Args) -> Reply:
    me = call.caller.me
    groups = [await call.core.groups.get(me, g.id) for g in await call.core.groups.list(me)]
    return result([group_info(call, g) for g in groups])


@api
async def group_create(call: Call, args: Args) -> Reply:
    me = call.caller.me
    created = await call.core.groups.create(me, f"group_{secrets.token_hex(16)}")
    info = group_info(call, await call.core.groups.get(me, created.id))
    info["label"] = args.text("label", "") or ""
    return ok(info, message=f"new group {info['group_key_id']} created successfully")


@api_named("group_info")
async def group_info_method(call: Call, args: Args) -> Reply:
    return ok(group_info(call, await group_of(call, args.required("group_key_id"))))


@api
async def group_join(call: Call, args: Args) -> Reply:
    return ok(group_info(call, await group_of(call, args.required("group_key_id"))))


@api
async def group_reconnect(call: Call, args: Args) -> Reply:
    return ok(group_info(call, await group_of(call, args.required("group_key_id"))))


@api
async def group_leave(call: Call, args: Args) -> Reply:
    me = call.caller.me
    detail = await group_of(call, args.required("group_key_id"))
    await call.core.groups.remove_member(me, detail.group.id, me.name)
    return ok(message=f"group {detail.group.name} deactivated")


@api
async def group_share(call: Call, args: Args) -> Reply:
    detail = await group_of(call, args.required("group_key_id"))
    who = user_of(
        call, args.required("trusted_user_id", "trusted_global_id", "trusted_idurl", "trusted_id")
    )
    await call.core.groups.add_member(call.caller.me, detail.group.id, who, "editor")
    return ok(message=f"group {detail.group.name} shared with {who}")
