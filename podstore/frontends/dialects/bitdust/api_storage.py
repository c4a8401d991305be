"""supplier*, space_*: the stores that hold podstore's data, as BitDust's suppliers."""

from __future__ import annotations

import asyncio
import shutil
from typing import Any

from podstore.core.records import SupplierInfo
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, ok, result
from podstore.frontends.dialects.bitdust.inputs import Args
from podstore.frontends.dialects.bitdust.registry import Call, api


def describe(call: Call, supplier: SupplierInfo, verbose: bool) -> dict[str, Any]:
    online = supplier.state == "online"
    name = f"supplier{supplier.position}"
    entry: dict[str, Any] = {
        "position": supplier.position,
        "idurl": f"http://{call.engine.host}/{name}.xml",
        "global_id": f"{name}@{call.engine.host}",
        "supplier_state": "CONNECTED" if online else "OFFLINE",
        "connected": online,
        "contact_state": "CONNECTED" if online else "OFFLINE",
        "role": supplier.role,
    }
    if verbose:
        entry |= {"kind": supplier.kind, "location": supplier.location}
    return entry


@api
async def suppliers_list(call: Call, args: Args) -> Reply:
    call.caller.require()
    suppliers = await call.core.suppliers()
    first = suppliers[0]
    return result(
        [describe(call, s, args.flag("verbose")) for s in suppliers],
        ecc_map=f"podstore/{first.k}+{first.m}",
    )


@api
async def suppliers_ping(call: Call, args: Args) -> Reply:
    call.caller.require()
    suppliers = await call.core.suppliers()
    online = sum(s.state == "online" for s in suppliers)
    return ok(message=f"{online} of {len(suppliers)} suppliers are online")


def _numbered(text: str, prefix: str) -> int:
    """N of `supplierN`, `supplierN@host`, `http://host/supplierN.xml` or a plain number."""
    name = text.rsplit("/", 1)[-1].removesuffix(".xml").split("@", 1)[0]
    number = name.removeprefix(prefix)
    if not number.isdigit():
        raise Failure(f"unknown {prefix} {text}", "not_found")
    return int(number)


@api
async def supplier_change(call: Call, args: Args) -> Reply:
    """Move one store of the erasure set onto a spare store and rebuild its fragments."""
    call.caller.require()
    if not call.engine.settings.allow_operator_actions:
        raise Failure(
            "not allowed: changing the stores is the operator's (settings: allow_operator_actions)",
            "denied",
        )
    who = args.text("position") or args.text("supplier_id") or args.text("supplier_idurl")
    who = who or args.text("supplier_glob_id")
    if who is None:
        raise Failure("one of mandatory parameters missed: position, supplier_id", None)
    position = _numbered(who, "supplier")
    spare_text = (
        args.text("new_supplier_id") or args.text("new_global_id") or args.text("new_idurl")
    )
    spare = _numbered(spare_text, "spare") if spare_text else 0
    change = await call.core.change_supplier(position, spare)
    return ok(
        {
            "position": change.position,
            "old_location": change.old_location,
            "new_location": change.new_location,
            "checked": change.checked,
            "rebuilt": change.rebuilt,
            "lost": change.lost,
        },
        message=f"supplier {position} replaced, {change.rebuilt} fragments rebuilt",
    )


@api
async def space_consumed(call: Call, args: Args) -> Reply:
    pods = await call.core.pods.list(call.caller.require())
    used = sum(p.used_bytes for p in pods if p.role == "owner")
    quota = call.core.settings.user_quota_bytes
    return ok({"used": used, "available": quota - used if quota else -1, "needed": quota})


@api
async def space_donated(call: Call, args: Args) -> Reply:
    call.caller.require()
    used = await asyncio.to_thread(call.core.storage_used)
    return ok({"used": used, "donated": -1, "free": -1})


@api
async def space_local(call: Call, args: Args) -> Reply:
    call.caller.require()
    usage = await asyncio.to_thread(shutil.disk_usage, call.core.settings.data_dir)
    return ok({"total": usage.total, "used": usage.used, "free": usage.free})
