"""BitDust's answer envelope: `OK`, `RESULT` and `ERROR`, and how an answer is written.

Every answer is a JSON object with `status`; REST writes it with sorted keys, two-space
indent and a newline, with `execution` (seconds, as a string) added, always HTTP 200.
"""

from __future__ import annotations

import json
import time
from typing import Any

Reply = dict[str, Any]


class Failure(Exception):
    """An API method's refusal in BitDust's words: becomes an `ERROR` envelope."""

    def __init__(self, error: str, reason: str | None = None) -> None:
        super().__init__(error)
        self.error, self.reason = error, reason


def ok(result: Any = "", message: str | None = None) -> Reply:
    """`OK`: `result` only when truthy; a dict kept, a list kept, anything else in a list."""
    reply: Reply = {"status": "OK"}
    if result:
        reply["result"] = result if isinstance(result, dict | list) else [result]
    if message is not None:
        reply["message"] = message
    return reply


def result(items: Any, message: str | None = None, **extra: Any) -> Reply:
    """`RESULT`: `result` always present, `extra` fields merged at the top level."""
    reply: Reply = {"status": "OK", "result": items}
    if message is not None:
        reply["message"] = message
    reply.update(extra)
    return reply


def error(errors: str | list[str], message: str | None = None, reason: str | None = None) -> Reply:
    reply: Reply = {"status": "ERROR", "errors": errors if isinstance(errors, list) else [errors]}
    if message is not None:
        reply["message"] = message
    if reason is not None:
        reply["reason"] = reason
    return reply


def render(reply: Reply, started: float) -> bytes:
    """The REST body: BitDust's exact JSON layout, with the time the call took."""
    body = {**reply, "execution": f"{time.monotonic() - started:3.6f}"}
    return (json.dumps(body, indent=2, separators=(",", ": "), sort_keys=True) + "\n").encode()
