"""What a FairOS session has open, in one value of the core's session state (so every node
sees it, and a request reads it once): pods, the v0 "current" pod, KV tables (with the
header row of a CSV-loaded table) and document databases."""

from __future__ import annotations

from typing import Any

from podstore.frontends.dialects.fairos.calls import Call

KEY = "fairos"


def _empty() -> dict[str, Any]:
    return {"pods": [], "current": None, "kv": {}, "docs": []}


async def opened(call: Call) -> dict[str, Any]:
    if call.state is None:
        found = await call.core.session_state.get(await call.actor(), KEY)
        call.state = found if isinstance(found, dict) else _empty()
    return call.state


async def save(call: Call, state: dict[str, Any]) -> None:
    call.state = state
    await call.core.session_state.put(await call.actor(), KEY, state)


async def set_pod(call: Call, pod: str, is_open: bool) -> None:
    state = await opened(call)
    state["pods"] = [p for p in state["pods"] if p != pod] + ([pod] if is_open else [])
    if is_open:
        state["current"] = pod
    else:
        state["current"] = None if state["current"] == pod else state["current"]
        state["kv"] = {t: c for t, c in state["kv"].items() if not t.startswith(f"{pod}/")}
        state["docs"] = [t for t in state["docs"] if not t.startswith(f"{pod}/")]
    await save(call, state)
