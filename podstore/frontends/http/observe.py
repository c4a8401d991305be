"""Observability: Prometheus metrics and one JSON log line per request, as ASGI middleware.

The access line is what `JsonFormatter` writes for a record of `podstore.access`. When the
handler `configure_logging` installs is the one that would write it (no other handler or
filter in the way), the line is written straight to it: a `LogRecord` and the logging
machinery cost a tenth of a small file's GET.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "podstore_requests_total", "HTTP requests", ["method", "status"], registry=REGISTRY
)
BYTES_IN = Counter("podstore_bytes_in_total", "Request body bytes received", registry=REGISTRY)
BYTES_OUT = Counter("podstore_bytes_out_total", "Response body bytes sent", registry=REGISTRY)
LATENCY = Histogram(
    "podstore_request_seconds", "Time to the end of the response", ["method"], registry=REGISTRY
)
ACCESS = "podstore.access"
access_log = logging.getLogger(ACCESS)


def _json_line(
    created: float, level: str, logger: str, msg: str, fields: dict[str, Any], exc: str = ""
) -> str:
    data: dict[str, Any] = {"ts": round(created, 3), "level": level, "logger": logger, "msg": msg}
    data.update(fields)
    if exc:
        data["exc"] = exc
    return json.dumps(data, default=str)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        exc = self.formatException(record.exc_info) if record.exc_info else ""
        fields = getattr(record, "fields", {})
        level = record.levelname.lower()
        return _json_line(record.created, level, record.name, record.getMessage(), fields, exc)


class JsonLineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """JSON lines (`JsonFormatter`) on a stream, and lines already made (`write_line`)."""

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self.setFormatter(JsonFormatter())

    def write_line(self, line: str) -> None:
        with self.lock or contextlib.nullcontext():
            self.stream.write(line + self.terminator)
            self.flush()


def direct_access_handler() -> JsonLineHandler | None:
    """The handler that would write an INFO record of `podstore.access` when it is the only
    thing the record would meet (see the module docstring), else None."""
    parent = access_log.parent
    if access_log.handlers or access_log.filters or not access_log.propagate:
        return None
    if parent is None or parent.name != "podstore" or parent.filters or parent.propagate:
        return None
    if len(parent.handlers) != 1 or not access_log.isEnabledFor(logging.INFO):
        return None
    handler = parent.handlers[0]
    if type(handler) is not JsonLineHandler or handler.filters or handler.level > logging.INFO:
        return None
    if type(handler.formatter) is not JsonFormatter:
        return None
    return handler


def access_line(created: float, fields: dict[str, Any]) -> str:
    """What `JsonFormatter` writes for the access record of `fields` made at `created`."""
    return _json_line(created, "info", ACCESS, "request", fields)


def configure_logging(level: str) -> None:
    handler = JsonLineHandler(sys.stderr)
    root = logging.getLogger("podstore")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


class StorageUsedCollector:
    def __init__(
        self,
        used_bytes: Callable[[], int],
        writer_hold: Callable[[], tuple[float, float, int] | None] = lambda: None,
    ) -> None:
        self.used_bytes = used_bytes
        self.writer_hold = writer_hold

    def collect(self) -> Any:
        gauge = GaugeMetricFamily("podstore_storage_used_bytes", "Bytes of file versions kept")
        gauge.add_metric([], float(self.used_bytes()))
        yield gauge
        hold = self.writer_hold()
        if hold is not None:
            longest, total, count = hold
            yield GaugeMetricFamily(
                "podstore_writer_hold_seconds_max",
                "Longest time one metadata write transaction held the SQLite writer",
                value=longest,
            )
            yield CounterMetricFamily(
                "podstore_writer_hold_seconds",
                "Time the SQLite writer's transactions held its lock",
                value=total,
            )
            yield CounterMetricFamily(
                "podstore_writer_transactions",
                "Write transactions the SQLite writer ran",
                value=count,
            )


def metrics_text() -> bytes:
    return generate_latest(REGISTRY)


class ObserveMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        counts = {"in": 0, "out": 0, "status": 500}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                counts["in"] += len(message.get("body", b""))
            return message

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                counts["status"] = message["status"]
            elif message["type"] == "http.response.body":
                counts["out"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, counting_send)
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"]
            REQUESTS.labels(method, str(counts["status"])).inc()
            BYTES_IN.inc(counts["in"])
            BYTES_OUT.inc(counts["out"])
            LATENCY.labels(method).observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):
                fields = {
                    "method": method,
                    "path": scope["path"],
                    "status": counts["status"],
                    "ms": round(elapsed * 1000, 2),
                    "in": counts["in"],
                    "out": counts["out"],
                }
                handler = direct_access_handler()
                if handler is not None:
                    handler.write_line(access_line(time.time(), fields))
                else:
                    # a record made here, without `info()`'s search of the stack for its caller
                    extra = {"fields": fields}
                    record = access_log.makeRecord(
                        ACCESS, logging.INFO, __file__, 0, "request", (), None, extra=extra
                    )
                    access_log.handle(record)
