"""identity_*: the engine's one identity as a podstore account; key_* and share_*: keys as
pods (a key opens one pod: `master` the owner's own catalog, `share_<hex>` a shared one)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from typing import Any

from podstore.core.records import KeyInfo
from podstore.frontends.dialects.bitdust.catalog import idurl
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, ok, result
from podstore.frontends.dialects.bitdust.inputs import (
    MASTER,
    Args,
    KeyId,
    parse_key_id,
    parse_remote_path,
)
from podstore.frontends.dialects.bitdust.registry import Call, api

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,19}$")  # BitDust: 3 to 20 characters


def _engine_only(call: Call) -> None:
    if not call.caller.engine:
        raise Failure("access denied: only the engine's own API secret may do that", "denied")


async def identity_of(call: Call) -> dict[str, Any]:
    me = call.caller.me
    info = await call.core.accounts.me(me)
    master = await call.master_key()
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
        "publickey": master.public_key,
        "identity_key": base64.b64encode(info.public_key).decode(),
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


def key_info(call: Call, key: KeyInfo, kind: str = "key") -> dict[str, Any]:
    key_id = KeyId(key.alias, key.creator, call.engine.host)
    info: dict[str, Any] = {
        "key_id": str(key_id),
        "alias": key.alias,
        "creator": idurl(KeyId(MASTER, key.creator, call.engine.host)),
        "public": key.public_key,
        "private": key.private_pem,
        "label": key.label,
        "active": key.active,
        "is_public": False,
        "is_private": True,
        "size": key.size,
        "local_key_id": key.pod_id,
        "created": key.created_at,
    }
    if kind == "share":
        info |= {"state": "CONNECTED", "id": key.pod_id, "name": "shared_access_coordinator"}
    return info


async def key_of(call: Call, text: str, include_private: bool = False) -> KeyInfo:
    me = call.caller.me
    key = await call.key(parse_key_id(text, me.name, call.engine.host))
    if include_private:
        return await call.core.keyring.get(me, key.alias, include_private=True)
    return key


def _user(call: Call, who: str) -> str:
    if who.startswith(("http://", "https://")) and who.endswith(".xml"):
        return who.rsplit("/", 1)[-1][:-4]
    return parse_key_id(who, call.caller.me.name, call.engine.host).user if "@" in who else who


async def _share(call: Call, text: str, who: str) -> KeyInfo:
    key = await key_of(call, text)
    if key.alias == MASTER:
        raise Failure("master key can not be shared", "invalid")
    return await call.core.keyring.share(call.caller.me, key.alias, _user(call, who))


@api
async def keys_list(call: Call, args: Args) -> Reply:
    await call.master_key()
    keys = await call.core.keyring.list(call.caller.me)
    return result([key_info(call, k) for k in keys])


@api
async def key_get(call: Call, args: Args) -> Reply:
    wanted = args.flag("include_private")
    return ok(key_info(call, await key_of(call, args.required("key_id"), wanted)))


@api
async def key_create(call: Call, args: Args) -> Reply:
    alias = args.required("key_alias", "alias")
    if alias == MASTER or alias.startswith(("share_", "group_")):
        raise Failure(f"invalid key alias: {alias}", "invalid")
    size = args.integer("key_size", 2048)
    key = await call.core.keyring.create(
        call.caller.me,
        alias,
        size=size,
        label=args.text("label", "") or "",
        versions_kept=call.engine.settings.versions_kept,
    )
    if not args.flag("active", True):
        key = await call.core.keyring.update(call.caller.me, alias, active=False)
    if args.flag("include_private"):
        key = await call.core.keyring.get(call.caller.me, alias, include_private=True)
    return ok(key_info(call, key), message=f"new private key {alias} was generated")


@api
async def key_label(call: Call, args: Args) -> Reply:
    key = await key_of(call, args.required("key_id"))
    changed = await call.core.keyring.update(
        call.caller.me, key.alias, label=args.required("label")
    )
    return ok(key_info(call, changed))


@api
async def key_state(call: Call, args: Args) -> Reply:
    key = await key_of(call, args.required("key_id"))
    active = args.flag("active", True)
    changed = await call.core.keyring.update(call.caller.me, key.alias, active=active)
    return ok(key_info(call, changed))


@api
async def key_erase(call: Call, args: Args) -> Reply:
    text = args.required("key_id")
    key = await key_of(call, text)
    if key.alias == MASTER:
        raise Failure("master key can not be erased", "invalid")
    await call.core.keyring.erase(call.caller.me, key.alias)
    return ok(message=f"private key {text} was erased successfully")


@api
async def key_share(call: Call, args: Args) -> Reply:
    text = args.required("key_id")
    who = args.required("trusted_user_id", "trusted_global_id", "trusted_id", "idurl")
    await _share(call, text, who)
    return ok(message=f"key {text} was sent to {who}")


@api
async def shares_list(call: Call, args: Args) -> Reply:
    keys = await call.core.keyring.list(call.caller.me)
    mine, granted = args.flag("include_mine", True), args.flag("include_granted", True)
    active = args.flag("only_active")
    return result(
        [
            key_info(call, k, "share")
            for k in keys
            if k.alias.startswith("share_")
            and (mine if k.mine else granted)
            and (k.active or not active)
        ]
    )


@api
async def share_create(call: Call, args: Args) -> Reply:
    """A new share: a key that opens a new location of its own, or (`remote_path`, podstore's
    addition) a folder already in one of my keys' catalogs."""
    me = call.caller.require()
    location = None
    folder = args.text("remote_path")
    if folder is not None:
        rp = parse_remote_path(folder, me.name, call.engine.host)
        at = await call.place(rp.key)
        location = (at.scope, at.path(rp))
    key = await call.core.keyring.create(
        me,
        f"share_{secrets.token_hex(16)}",
        size=args.integer("key_size", 2048),
        label=args.text("label", "") or "",
        versions_kept=call.engine.settings.versions_kept,
        location=location,
    )
    info = key_info(call, key, "share")
    return ok(info, message=f"new share {info['key_id']} created successfully")


@api
async def share_info(call: Call, args: Args) -> Reply:
    return ok(key_info(call, await key_of(call, args.required("key_id")), "share"))


@api
async def share_open(call: Call, args: Args) -> Reply:
    key = await key_of(call, args.required("key_id"))
    opened = await call.core.keyring.update(call.caller.me, key.alias, active=True)
    return ok(key_info(call, opened, "share"))


@api
async def share_close(call: Call, args: Args) -> Reply:
    key = await key_of(call, args.required("key_id"))
    await call.core.keyring.update(call.caller.me, key.alias, active=False)
    return ok(message=f"share {args.required('key_id')} closed")


@api
async def share_grant(call: Call, args: Args) -> Reply:
    who = args.required("trusted_user_id", "trusted_global_id", "trusted_idurl", "trusted_id")
    await _share(call, args.required("key_id"), who)
    return ok(message=f"access granted to {who}")


@api
async def share_delete(call: Call, args: Args) -> Reply:
    key = await key_of(call, args.required("key_id"))
    await call.core.keyring.erase(call.caller.me, key.alias)
    return ok(message=f"share {args.required('key_id')} deleted")


@api
async def share_history(call: Call, args: Args) -> Reply:
    raise Failure("not implemented yet", "unsupported")


@api
async def identity_heal(call: Call, args: Args) -> Reply:
    raise Failure("not implemented yet", "unsupported")
