"""Claim the listeners' addresses before serving, so that a second server on a taken port fails.

The workers bind with SO_REUSEPORT (the kernel spreads connections over them). That would
also let another podstore started on the same port, by mistake or by a race for a free
port, bind beside the first one and silently answer half of its connections from another
data directory. So `podstore serve` first binds each address plainly (with SO_REUSEADDR
only, as a server restarting over its old TIME_WAIT connections must), which fails on
anything that listens there, and then keeps a bound, never listening SO_REUSEPORT socket on
it for as long as it runs: its own workers bind beside that one, while another server's
plain bind still fails. A bound socket that never listens receives no connections.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable
from typing import Any

from podstore.settings import ListenerSettings


class AddressUnavailable(Exception):
    """A listener's address is taken by something else, or cannot be bound at all."""


def claim(listeners: Iterable[ListenerSettings]) -> list[socket.socket]:
    """Held sockets for the listeners with a fixed port; AddressUnavailable for a taken one."""
    held: list[socket.socket] = []
    try:
        for listener in listeners:
            if listener.port != 0:  # a port the kernel picks is free by definition
                held.extend(_claim_one(listener.host, listener.port))
    except BaseException:
        for sock in held:
            sock.close()
        raise
    return held


def _claim_one(host: str, port: int) -> list[socket.socket]:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except OSError as exc:
        raise AddressUnavailable(f"cannot listen on {host}:{port}: {exc}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        _bind(probe, address, host, port)
    if not hasattr(socket, "SO_REUSEPORT"):  # Windows: one worker, nothing to guard
        return []
    holder = socket.socket(family, kind, proto)
    try:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        _bind(holder, address, host, port)
    except BaseException:
        holder.close()
        raise
    return [holder]


def _bind(sock: socket.socket, address: Any, host: str, port: int) -> None:
    try:
        sock.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            why = "it is already in use (another podstore, or another program, listens there)"
        else:
            why = exc.strerror or str(exc)
        raise AddressUnavailable(f"cannot listen on {host}:{port}: {why}") from None
