"""identity_*: the engine's one identity as a podstore account; key_* and share_*: keys as
pods (a key opens one pod: `master` the owner's own catalog, `share_<hex>` a shared one)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from typing import Any

from podstore.core.errors import NotFound
from podstore.core.records import PodInfo
from podstore.frontends.dialects.bitdust.catalog import idurl
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, ok, result
from podstore.frontends.dialects.bitdust.inputs import MASTER, Args, KeyId, parse_key_id
from podstore.frontends.dialects.bitdust.registry import Call, api

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,19}$")  # BitDust: 3 to 20 characters


def _engine_only(call: Call) -> None:
    if not call.caller.engine:
        raise Failure("access denied: only the engine's own API secret may do that", "denied")


async def identity_of(call: Call) -> dict[str, Any]:
    me = call.caller.me
    info = await call.core.accounts.me(me)
    key = KeyId(MASTER, me.name, call.engine.host)
    return {
        "name": me.name,
        "idurl": idurl(key),
        "global_id": call.engine.global_id(me.name),
        "sources": [idurl(key)],
        "contacts": [],
        "certificates": [],
        "scrubbers": [],
        "postage": "1",
        "date": time.strftime("%b %d, %Y", time.gmtime(info.created_at)),
        "version": "",
        "revision": 0,
        "publickey": base64.b64encode(info.public_key).decode(),
        "signature": "",
    }


@api
async def identity_get(call: Call, args: Args) -> Reply:
    return ok(await identity_of(call))


@api
async def identity_create(call: Call, args: Args) -> Reply:
    _engine_only(call)
    name = args.required("username")
    if call.engine.identity() is not None:
        raise Failure("local identity already exist", "conflict")
    if not USERNAME.match(name):
        raise Failure("invalid user name", "invalid")
    password = secrets.token_urlsafe(24)
    signup = await call.core.accounts.signup(name, password)
    assert signup.mnemonic is not None
    call.engine.save_identity(name, password, signup.mnemonic)
    call.caller = type(call.caller)(await call.engine.engine_actor(), engine=True)
    return ok(await identity_of(call), message=f"new identity {name} created successfully")


@api
async def identity_backup(call: Call, args: Args) -> Reply:
    _engine_only(call)
    found = call.engine.identity()
    if found is None:
        raise Failure("local identity is not ready", "no_identity")
    target = call.engine.local_path(call.caller.me, args.required("destination_filepath"))
    backup = {"name": found["name"], "mnemonic": found["mnemonic"]}
    target.write_text(json.dumps(backup, indent=2) + "\n")
    target.chmod(0o600)
    return ok(message=f"identity backup saved to {target}")


@api
async def identity_recover(call: Call, args: Args) -> Reply:
    _engine_only(call)
    if call.engine.identity() is not None:
        raise Failure("local identity already exist", "conflict")
    source = args.text("private_key_source")
    if source is None:
        path = call.engine.local_path(None, args.required("private_key_local_file"))
        try:
            source = path.read_text()
        except (FileNotFoundError, IsADirectoryError, UnicodeError):
            raise Failure(f"local file {path} not exist", "not_found") from None
    try:
        backup = json.loads(source)
        name, mnemonic = str(backup["name"]), str(backup["mnemonic"])
    except (ValueError, KeyError, TypeError):
        raise Failure("private key source is not a podstore identity backup", "invalid") from None
    password = secrets.token_urlsafe(24)
    await call.core.accounts.recover(name, mnemonic, password)
    call.engine.save_identity(name, password, mnemonic)
    call.caller = type(call.caller)(await call.engine.engine_actor(), engine=True)
    return ok(await identity_of(call), message="identity recovered")


@api
async def identity_erase(call: Call, args: Args) -> Reply:
    _engine_only(call)
    if call.engine.identity() is None:
        raise Failure("local identity is not ready", "no_identity")
    call.engine.forget_identity()
    return ok(message="local identity erased; the podstore account stays on the server")


@api
async def identity_rotate(call: Call, args: Args) -> Reply:
    call.caller.require()
    raise Failure(
        "identity rotation is not needed: this server is the identity server", "unsupported"
    )


@api
async def identity_cache_list(call: Call, args: Args) -> Reply:
    contacts = await call.core.contacts.list(call.caller.me)
    return result(
        [
            {
                "name": c.name,
                "global_id": call.engine.global_id(c.name),
                "idurl": idurl(KeyId(MASTER, c.name, call.engine.host)),
            }
            for c in contacts
        ]
    )


# -- keys and shares -------------------------------------------------------------------------


async def owner_name(call: Call, pod: PodInfo) -> str:
    me = call.caller.me
    if pod.role == "owner":
        return me.name
    members = await call.core.sharing.members(me, pod.id)
    return next((m.user for m in members if m.role == "owner" and m.user), "unknown")


async def key_info(call: Call, pod: PodInfo, kind: str = "key") -> dict[str, Any]:
    owner = await owner_name(call, pod)
    key = KeyId(pod.name, owner, call.engine.host)
    info: dict[str, Any] = {
        "key_id": str(key),
        "alias": pod.name,
        "creator": idurl(key),
        "public": "",
        "private": None,
        "label": pod.name,
        "active": True,
        "is_public": False,
        "is_private": pod.role == "owner",
        "size": 0,
        "local_key_id": pod.id,
        "role": pod.role,
        "files": pod.files,
        "folders": pod.folders,
        "used_bytes": pod.used_bytes,
    }
    if kind == "share":
        info |= {
            "state": "CONNECTED",
            "index": 0,
            "id": pod.id,
            "name": "shared_access_coordinator",
        }
    return info


async def pod_of(call: Call, text: str) -> PodInfo:
    me = call.caller.me
    key = parse_key_id(text, me.name, call.engine.host)
    scope = await call.scope(key)
    try:
        return await call.core.pods.stat(me, scope)
    except NotFound:
        raise Failure(f"key {text} is not registered", "not_found") from None


@api
async def keys_list(call: Call, args: Args) -> Reply:
    pods = await call.core.pods.list(call.caller.me)
    return result([await key_info(call, p) for p in pods])


@api
async def key_get(call: Call, args: Args) -> Reply:
    return ok(await key_info(call, await pod_of(call, args.required("key_id"))))


@api
async def key_create(call: Call, args: Args) -> Reply:
    me = call.caller.me
    alias = args.required("key_alias", "alias")
    if alias == MASTER or alias.startswith(("share_", "group_")) or not USERNAME.match(alias):
        raise Failure(f"invalid key alias: {alias}", "invalid")
    versions = call.engine.settings.versions_kept
    pod = await call.core.pods.create(me, alias, versions_kept=versions)
    return ok(await key_info(call, pod), message=f"new private key {alias} was generated")


@api
async def key_erase(call: Call, args: Args) -> Reply:
    pod = await pod_of(call, args.required("key_id"))
    if pod.name == MASTER:
        raise Failure("master key can not be erased", "invalid")
    await call.core.pods.delete(call.caller.me, pod.id)
    return ok(message=f"private key {args.required('key_id')} was erased successfully")


async def _grant(call: Call, pod: PodInfo, who: str) -> None:
    me = call.caller.me
    user = parse_key_id(who, me.name, call.engine.host).user if "@" in who else who
    if pod.name == MASTER:
        raise Failure("master key can not be shared", "invalid")
    await call.core.sharing.add_member(me, pod.id, user=user, role="editor")


@api
async def key_share(call: Call, args: Args) -> Reply:
    pod = await pod_of(call, args.required("key_id"))
    await _grant(
        call, pod, args.required("trusted_user_id", "trusted_global_id", "trusted_id", "idurl")
    )
    return ok(message=f"key {args.required('key_id')} was shared")


@api
async def shares_list(call: Call, args: Args) -> Reply:
    pods = await call.core.pods.list(call.caller.me)
    mine, granted = args.flag("include_mine", True), args.flag("include_granted", True)
    shares = [
        p for p in pods if p.name.startswith("share_") and (mine if p.role == "owner" else granted)
    ]
    return result([await key_info(call, p, "share") for p in shares])


@api
async def share_create(call: Call, args: Args) -> Reply:
    me = call.caller.me
    name = f"share_{secrets.token_hex(16)}"
    pod = await call.core.pods.create(me, name, versions_kept=call.engine.settings.versions_kept)
    info = await key_info(call, pod, "share")
    info["label"] = args.text("label", "") or ""
    return ok(info, message=f"new share {info['key_id']} created successfully")


@api
async def share_info(call: Call, args: Args) -> Reply:
    return ok(await key_info(call, await pod_of(call, args.required("key_id")), "share"))


@api
async def share_open(call: Call, args: Args) -> Reply:
    return ok(await key_info(call, await pod_of(call, args.required("key_id")), "share"))


@api
async def share_close(call: Call, args: Args) -> Reply:
    pod = await pod_of(call, args.required("key_id"))
    return ok(message=f"share {pod.name} closed")


@api
async def share_grant(call: Call, args: Args) -> Reply:
    pod = await pod_of(call, args.required("key_id"))
    who = args.required("trusted_user_id", "trusted_global_id", "trusted_idurl", "trusted_id")
    await _grant(call, pod, who)
    return ok(message=f"access granted to {who}")


@api
async def share_delete(call: Call, args: Args) -> Reply:
    pod = await pod_of(call, args.required("key_id"))
    await call.core.pods.delete(call.caller.me, pod.id)
    return ok(message=f"share {args.required('key_id')} deleted")


@api
async def share_history(call: Call, args: Args) -> Reply:
    raise Failure("not implemented yet", "unsupported")


@api
async def identity_heal(call: Call, args: Args) -> Reply:
    raise Failure("not implemented yet", "unsupported")
