"""The WebSocket's model listeners, as the desktop app uses them: `enable_model_listener`,
`disable_model_listener` and `request_model_data` switch on, off or populate once the
`model` frames `{"name","id","data","created"[,"deleted"]}` of one data type on the
connection the call came on. Snapshots are built from the same API methods a client would
call (as BitDust's own populate functions do); live ones follow the caller's podstore events.
Adding a friend also pushes an `online_status` frame (every user of this server is reachable:
there is no presence to watch)."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from podstore.core.errors import NotFound
from podstore.core.records import Event
from podstore.frontends.dialects.bitdust.api_social import _received, person
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, ok
from podstore.frontends.dialects.bitdust.inputs import MASTER, Args, KeyId, RemotePath
from podstore.frontends.dialects.bitdust.registry import Call, api, invoke

Snapshot = tuple[str, dict[str, Any]]
MODELS = (
    "key",
    "shared_location",
    "private_file",
    "shared_file",
    "remote_version",
    "correspondent",
    "online_status",
    "conversation",
    "message",
    "service",
)
KEY_KINDS = ("key.", "share.")
TREE_KINDS = ("file.", "folder.", "node.")
CONTACT_KINDS = ("contact.added", "contact.changed")


def model_frame(model: str, snap_id: str, data: Any, deleted: bool = False) -> dict[str, Any]:
    payload: dict[str, Any] = {"name": model, "id": snap_id, "data": data, "created": time.time()}
    if deleted:
        payload["deleted"] = time.time()
    return {"type": "model", "payload": payload}


def online_status(call: Call, name: str, state: str = "CONNECTED") -> dict[str, Any]:
    who = person(call, name)
    return {
        "name": "online_status",
        "id": f"online_{name}",
        "state": state,
        "idurl": who["idurl"],
        "global_id": who["global_id"],
        "idhost": call.engine.host,
        "username": name,
    }


async def listed(call: Call, method: str, **kwargs: Any) -> list[dict[str, Any]]:
    reply = await invoke(call, method, kwargs)
    found = reply.get("result") if reply["status"] == "OK" else None
    return found if isinstance(found, list) else []


def file_snapshot(entry: dict[str, Any]) -> Snapshot:
    versions = [{"backup_id": v["backup_id"].split("/")[-1]} for v in entry["versions"]]
    keep = ("global_id", "remote_path", "size", "type", "customer")
    return entry["remote_path"], {k: entry[k] for k in keep} | {"versions": versions}


def version_snapshots(entry: dict[str, Any]) -> list[Snapshot]:
    return [(v["backup_id"], v | {"remote_path": entry["remote_path"]}) for v in entry["versions"]]


async def snapshots(call: Call, model: str, query: dict[str, Any]) -> list[Snapshot]:
    """Everything of one model the caller has now."""
    me = call.caller.me
    master = str(KeyId(MASTER, me.name, call.engine.host))
    if model == "key":
        return [(k["key_id"], k) for k in await listed(call, "keys_list")]
    if model == "shared_location":
        return [(s["key_id"], s) for s in await listed(call, "shares_list")]
    if model in ("private_file", "remote_version"):
        where = {"remote_path": query["remote_path"]} if query.get("remote_path") else {}
        entries = await listed(call, "files_list", key_id=query.get("key_id") or master, **where)
        if model == "private_file":
            return [file_snapshot(e) for e in entries]
        return [v for e in entries for v in version_snapshots(e)]
    if model == "shared_file":
        keys = [query["key_id"]] if query.get("key_id") else []
        keys = keys or [s["key_id"] for s in await listed(call, "shares_list")]
        return [file_snapshot(e) for k in keys for e in await listed(call, "files_list", key_id=k)]
    if model in ("correspondent", "online_status"):
        friends = await listed(call, "friends_list")
        if model == "correspondent":
            return [(f["idurl"], {"idurl": f["idurl"], "nickname": f["alias"]}) for f in friends]
        return [
            (f["idurl"], online_status(call, f["idurl"].rsplit("/", 1)[-1][:-4])) for f in friends
        ]
    if model == "conversation":
        return [(c["conversation_id"], c) for c in await listed(call, "message_conversations_list")]
    if model == "message":
        if query.get("recipient_id"):
            found = await listed(call, "message_history", recipient_id=query["recipient_id"])
        else:
            talks = await listed(call, "message_conversations_list")
            found = [c["last_message"] for c in talks]
        return [(m["message_id"], m) for m in found]
    return [(s["name"], s) for s in await listed(call, "services_list")]


def _model(call: Call, args: Args) -> tuple[set[str], str]:
    if call.models is None:
        raise Failure("model listeners are part of the WebSocket API only", "unsupported")
    call.caller.require()
    name = args.required("model_name")
    if name not in MODELS:
        raise Failure(f"unknown model name: {name}", "invalid")
    return call.models, name


async def populate(call: Call, model: str, query: dict[str, Any]) -> None:
    assert call.push is not None
    for snap_id, data in await snapshots(call, model, query):
        await call.push(model_frame(model, snap_id, data))


@api
async def enable_model_listener(call: Call, args: Args) -> Reply:
    listening, name = _model(call, args)
    listening.add(name)
    if args.flag("request_all"):
        await populate(call, name, {})
    return ok()


@api
async def disable_model_listener(call: Call, args: Args) -> Reply:
    listening, name = _model(call, args)
    listening.discard(name)
    return ok()


@api
async def request_model_data(call: Call, args: Args) -> Reply:
    _, name = _model(call, args)
    query = args.raw("query_details") or {}
    if not isinstance(query, dict):
        raise Failure("query_details must be a JSON object", "invalid")
    await populate(call, name, {k: str(v) for k, v in query.items() if v is not None})
    return ok()


# -- live: what a podstore event changes, as frames ------------------------------------------


async def _remote_path(call: Call, node_id: str) -> RemotePath | None:
    """The remote path (under one of the caller's keys) of a node, if a key of theirs opens it."""
    with contextlib.suppress(NotFound):
        scope, path = await call.core.sharing.locate(call.caller.me, node_id)
        for key in await call.core.keyring.list(call.caller.me):
            inside = path == key.root or path.startswith(f"{key.root}/") or not key.root
            if key.scope == scope and inside:
                rest = path[len(key.root) :].strip("/")
                return RemotePath(KeyId(key.alias, key.creator, call.engine.host), rest)
    return None


async def _file_frames(call: Call, event: Event, listening: set[str]) -> list[dict[str, Any]]:
    data = event.data
    gone = event.kind.endswith(".deleted")
    if gone:  # a deleted node is reached through its parent
        parent = await _remote_path(call, str(data.get("parent_id")))
        rp = (
            RemotePath(parent.key, "/".join(filter(None, [parent.path, str(data.get("name"))])))
            if parent
            else None
        )
    else:
        rp = await _remote_path(call, str(data.get("node_id")))
    if rp is None:
        return []
    model = "private_file" if rp.key.alias == MASTER else "shared_file"
    if gone:
        wanted = [model] if model in listening else []
        return [model_frame(m, str(rp), {"remote_path": str(rp)}, deleted=True) for m in wanted]
    entries = await listed(call, "files_list", remote_path=str(rp), recursive=0)
    entry = next((e for e in entries if e["remote_path"] == str(rp)), None)
    if entry is None:
        return []
    frames = []
    if model in listening:
        frames.append(model_frame(model, *file_snapshot(entry)))
    if "remote_version" in listening:
        current = [v for v in version_snapshots(entry) if v[1]["current"]]
        frames += [model_frame("remote_version", *v) for v in current]
    return frames


async def live_frames(call: Call, event: Event, listening: set[str]) -> list[dict[str, Any]]:
    """The frames one podstore event of the caller's stream means for this connection."""
    kind, data = event.kind, event.data
    frames: list[dict[str, Any]] = []
    if kind in CONTACT_KINDS or kind == "contact.removed":
        name = str(data.get("name"))
        who = person(call, name)
        gone = kind == "contact.removed"
        if kind == "contact.added":
            frames.append({"type": "online_status", "payload": online_status(call, name)})
        if "correspondent" in listening:
            nick = data.get("alias") or name
            snap = {"idurl": who["idurl"], "nickname": nick}
            frames.append(model_frame("correspondent", who["idurl"], snap, deleted=gone))
        if "online_status" in listening:
            snap = online_status(call, name, "CLOSED" if gone else "CONNECTED")
            frames.append(model_frame("online_status", who["idurl"], snap, deleted=gone))
    elif kind == "message.received":
        message = _received(call, data)
        if "message" in listening:
            frames.append(model_frame("message", message["message_id"], message))
        if "conversation" in listening:
            talks = await snapshots(call, "conversation", {})
            frames += [model_frame("conversation", *t) for t in talks if t[0] == data.get("from")]
    elif kind.startswith(KEY_KINDS):
        if kind == "key.erased":
            key_id = str(KeyId(str(data.get("alias")), str(data.get("creator")), call.engine.host))
            for model in ("key", "shared_location"):
                if model in listening:
                    frames.append(model_frame(model, key_id, {"key_id": key_id}, deleted=True))
        for model in ("key", "shared_location"):
            if model in listening:
                frames += [model_frame(model, *s) for s in await snapshots(call, model, {})]
    elif kind.startswith(TREE_KINDS) and listening & {
        "private_file",
        "shared_file",
        "remote_version",
    }:
        frames += await _file_frames(call, event, listening)
    return frames
