"""process_*, config_*, network_*, services, events and the diagnostic lists, answered with
what podstore really runs; the parts of BitDust podstore has no counterpart for say so."""

from __future__ import annotations

import contextlib
import json
import os
import time
from typing import Any

from podstore.core.errors import Conflict, NotFound
from podstore.frontends.dialects.bitdust.envelope import Failure, Reply, ok, result
from podstore.frontends.dialects.bitdust.inputs import Args
from podstore.frontends.dialects.bitdust.registry import METHODS, Call, api, api_named

STARTED = time.time()
MAX_POLL_SECONDS = 120
UNSUPPORTED = {
    "device": "API devices: this engine is served by podstore on loopback only",
    "blockchain": "podstore has no blockchain",
    "billing": "podstore has no billing",
    "dht": "podstore has no DHT: users are found on this server",
    "network": "podstore is not a peer-to-peer network node",
    "customer": "podstore keeps no customers of its own beyond its users",
    "other": "not supported by podstore's BitDust dialect (see its deviations)",
}


def options(call: Call) -> dict[str, Any]:
    """BitDust's option paths that podstore's settings answer."""
    s = call.core.settings
    return {
        "interface/api/rest-http-enabled": True,
        "interface/api/rest-http-port": s.listeners["bitdust"].port,
        "interface/api/web-socket-enabled": True,
        "interface/api/web-socket-port": s.listeners["bitdust_ws"].port,
        "services/backups/max-copies": call.engine.settings.versions_kept,
        "services/backups/block-size": 2 * 1024 * 1024,
        "services/backups/max-block-size": 8 * 1024 * 1024,
        "services/customer/needed-space": s.user_quota_bytes or "unlimited",
        "services/customer/suppliers-number": _children(call),
        "personal/private-key-size": 2048,
    }


def _children(call: Call) -> int:
    kind = call.core.settings.storage
    return len(kind.children) if kind.kind == "erasure" else 1


def _option(name: str, value: Any) -> dict[str, Any]:
    return {"key": name, "value": value, "type": type(value).__name__}


@api
async def process_health(call: Call, args: Args) -> Reply:
    return ok()


@api
async def process_info(call: Call, args: Args) -> Reply:
    return ok(
        {
            "process": {
                "pid": os.getpid(),
                "name": "podstore",
                "started": STARTED,
                "uptime": round(time.time() - STARTED, 3),
            },
            "identity": {
                "global_id": call.engine.global_id(call.caller.actor.name)
                if call.caller.actor
                else None
            },
            "engine": {"methods": len(METHODS)},
        }
    )


async def _process_control(call: Call, args: Args) -> Reply:
    if not call.engine.settings.allow_operator_actions:
        raise Failure(
            "not allowed: other clients use this server (settings: allow_operator_actions)",
            "denied",
        )
    raise Failure("stop or restart the podstore service with its service manager", "unsupported")


for _name in ("process_stop", "process_restart", "process_debug"):
    api_named(_name)(_process_control)


@api
async def config_get(call: Call, args: Args) -> Reply:
    key = args.text("key") or "/".join(filter(None, [args.text(f"key{i}") for i in (1, 2, 3)]))
    if not key:
        raise Failure("mandatory argument missed: key", "missing_argument")
    known = options(call)
    found = {k: v for k, v in known.items() if k == key or k.startswith(key.rstrip("/") + "/")}
    if not found:
        raise Failure(f"option {key} not exist", "not_found")
    if key in found:
        return ok(_option(key, found[key]))
    return result([_option(k, v) for k, v in sorted(found.items())])


@api
async def config_set(call: Call, args: Args) -> Reply:
    raise Failure("options are podstore settings here: set them in its configuration", "read_only")


@api
async def configs_list(call: Call, args: Args) -> Reply:
    return result([_option(k, v) for k, v in sorted(options(call).items())])


@api
async def configs_tree(call: Call, args: Args) -> Reply:
    tree: dict[str, Any] = {}
    for name, value in options(call).items():
        *folders, leaf = name.split("/")
        node = tree
        for folder in folders:
            node = node.setdefault(folder, {})
        node[leaf] = {"value": value}
    return ok(tree)


@api
async def network_connected(call: Call, args: Args) -> Reply:
    return ok(message="connected")


@api
async def network_status(call: Call, args: Args) -> Reply:
    s = call.core.settings
    listeners = {name: f"{lst.host}:{lst.port}" for name, lst in s.listeners.items() if lst.enabled}
    return ok(
        {
            "p2p_connector_state": "CONNECTED",
            "network_connector_state": "CONNECTED",
            "listeners": {"main": f"{s.host}:{s.port}", **listeners},
        }
    )


@api
async def network_configuration(call: Call, args: Args) -> Reply:
    return await network_status(call, args)


@api
async def services_list(call: Call, args: Args) -> Reply:
    s = call.core.settings
    running = [("main", True)] + [(n, lst.enabled) for n, lst in s.listeners.items()]
    return result(
        [{"name": f"service_{n}", "enabled": e, "state": "ON" if e else "OFF"} for n, e in running]
    )


@api
async def service_info(call: Call, args: Args) -> Reply:
    name = args.required("service_name")
    for entry in (await services_list(call, args))["result"]:
        if entry["name"] == name:
            return ok(entry)
    raise Failure(f"service {name} not found", "not_found")


@api
async def service_health(call: Call, args: Args) -> Reply:
    return await service_info(call, args)


async def _service_control(call: Call, args: Args) -> Reply:
    raise Failure("services are podstore listeners: enable them in its settings", "read_only")


for _name in ("service_start", "service_stop", "service_restart"):
    api_named(_name)(_service_control)


@api
async def events_list(call: Call, args: Args) -> Reply:
    me = call.caller.me
    return ok({"last_sequence": await call.core.events.last_seq(me.user_id)})


@api
async def event_listen(call: Call, args: Args) -> Reply:
    """Long-poll the caller's events (podstore's event stream), per consumer id."""
    me = call.caller.me
    consumer = "events:" + args.required("consumer_callback_id")
    after = await call.engine.consumer_position(call.core, me.user_id, consumer)
    timeout = args.integer("polling_timeout", 60, 0, MAX_POLL_SECONDS)
    events = await call.core.events.wait(me.user_id, after, timeout)
    if events:
        call.engine.consumers[(me.user_id, consumer)] = events[-1].seq
    return result([{"event_id": e.kind, "data": e.data, "time": e.at} for e in events])


@api
async def event_send(call: Call, args: Args) -> Reply:
    raise Failure("events are raised by the server's own changes only", "read_only")


def _empty_list(call: Call, args: Args) -> Any:
    async def answer(call: Call, args: Args) -> Reply:
        call.caller.require()
        return result([])

    return answer


for _name in (
    "packets_list",
    "transfers_list",
    "connections_list",
    "streams_list",
    "queues_list",
    "queue_consumers_list",
    "queue_producers_list",
    "queue_keepers_list",
    "queue_peddlers_list",
    "queue_streams_list",
    "automats_list",
):
    api_named(_name)(_empty_list(None, None))  # type: ignore[arg-type]


def _unsupported(reason: str) -> Any:
    async def answer(call: Call, args: Args) -> Reply:
        raise Failure(reason, "unsupported")

    return answer


for _prefix, _names in {
    "device": (
        "devices_list",
        "device_info",
        "device_add",
        "device_start",
        "device_stop",
        "device_remove",
        "device_router_info",
        "device_authorization_request",
        "device_authorization_generate",
        "device_authorization_reset",
        "device_authorization_client_code",
    ),
    "blockchain": (
        "blockchain_info",
        "blockchain_wallet_balance",
        "blockchain_wallet_transactions",
        "blockchain_transaction_send",
        "blockchain_block_produce",
    ),
    "billing": (
        "billing_info",
        "billing_offers_list",
        "billing_offer_create",
        "billing_bid_create",
        "billing_bid_accept",
    ),
    "dht": (
        "dht_node_find",
        "dht_user_random",
        "group_info_dht",
        "suppliers_list_dht",
    ),
    "network": (
        "network_create",
        "network_select",
        "network_disconnect",
        "network_reconnect",
        "network_stun",
        "packets_stats",
    ),
    "other": (
        "automat_info",
        "automat_events_start",
        "automat_events_stop",
        "key_audit",
    ),
    "customer": ("customers_list", "customer_reject", "customers_ping"),
}.items():
    for _name in _names:
        api_named(_name)(_unsupported(UNSUPPORTED[_prefix]))


# -- the "DHT": a key-value table of the caller's own, in their master key's pod ------------

DHT_TABLE = "dht"


async def _dht(call: Call) -> str:
    me = call.caller.require()
    pod = (await call.master_key()).pod_id
    try:
        await call.core.kv.stat(me, pod, DHT_TABLE)
    except NotFound:
        with contextlib.suppress(Conflict):
            await call.core.kv.create(me, pod, DHT_TABLE, "string")
    return pod


@api
async def dht_value_set(call: Call, args: Args) -> Reply:
    key = args.required("key")
    value = args.raw("value")
    if value is None:
        raise Failure("mandatory argument missed: value", "missing_argument")
    pod = await _dht(call)
    stored = json.dumps(value, sort_keys=True).encode()
    await call.core.kv.put(call.caller.me, pod, DHT_TABLE, key, stored)
    return ok({"key": key, "value": value, "stored": True})


@api
async def dht_value_get(call: Call, args: Args) -> Reply:
    key = args.required("key")
    pod = await _dht(call)
    try:
        raw = await call.core.kv.get(call.caller.me, pod, DHT_TABLE, key)
    except NotFound:
        raise Failure(f"value for key {key} not found", "not_found") from None
    return ok({"key": key, "value": json.loads(raw)})


@api
async def dht_local_db_dump(call: Call, args: Args) -> Reply:
    pod = await _dht(call)
    page = await call.core.kv.scan(call.caller.me, pod, DHT_TABLE, limit=1000)
    return result([{"key": e.key, "value": json.loads(e.value)} for e in page.entries])
